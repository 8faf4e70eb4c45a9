#include "app/remote_exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "app/verdict_output.h"
#include "base/file_contents.h"
#include "base/unique_fd.h"
#include "base/utf8.h"
#include "policy/network_mode.h"
#include "rlimits/names.h"
#include "rpc/encoding.h"
#include "rpc/line_framer.h"

namespace sbx::app {
namespace {

using rpc::Json;

constexpr size_t kMaxStdin = 16u << 20;
constexpr uint64_t kDefaultOutputLimit = 16ull << 20;

std::string rlimit_value(uint64_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

// Where the first text in the request's `value` that is not UTF-8 sits, as the protocol names it
// ("env.NAME", "argv[1]"; a name that is not UTF-8 itself is not repeated). A request is JSON,
// whose strings are Unicode text: such bytes would reach the service as U+FFFD, and it would
// run something other than what was asked.
std::optional<std::string> first_non_utf8(const Json& value, const std::string& path) {
  if (value.is_string()) {
    if (is_valid_utf8(value.get_ref<const std::string&>())) return std::nullopt;
    return path;
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      if (auto bad = first_non_utf8(value[i], path + "[" + std::to_string(i) + "]")) return bad;
    }
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (!is_valid_utf8(key)) return path.empty() ? std::string("a name") : "a name in " + path;
      if (auto bad = first_non_utf8(item, path.empty() ? key : path + "." + key)) return bad;
    }
  }
  return std::nullopt;
}

// The command-line spelling of a request field first_non_utf8 found.
std::string option_of(const std::string& field) {
  const auto starts = [&field](std::string_view prefix) { return field.compare(0, prefix.size(), prefix) == 0; };
  if (field == "argv[0]") return "the program";
  if (starts("argv[")) return "argument " + field.substr(5, field.size() - 6);
  if (starts("env.")) return "--env " + field.substr(4);
  if (starts("secrets.")) return "--secret " + field.substr(8);
  if (starts("tmpfs[")) return "--tmpfs";
  if (field == "a name in env") return "an --env name";
  if (field == "a name in secrets") return "a --secret name";
  return "--" + field;  // workdir, hostname, rootfs, policy: named as their options
}

Result<std::string> read_stdin() {
  if (::isatty(STDIN_FILENO)) return std::string();
  std::string data;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EBADF) return data;  // stdin closed: nothing to send
      return errno_error("read stdin");
    }
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxStdin) {
      return make_error("--remote: standard input is over 16m; the service takes stdin with the request");
    }
  }
}

Result<UniqueFd> connect_socket(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return make_error("--remote " + path + ": path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_error("socket");
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return errno_error("--remote " + path + ": cannot connect (is `sbx serve` running there?)");
  }
  return fd;
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "INT";
    case SIGTERM: return "TERM";
    case SIGHUP: return "HUP";
    case SIGQUIT: return "QUIT";
    case SIGUSR1: return "USR1";
    case SIGUSR2: return "USR2";
    case SIGWINCH: return "WINCH";
    default: return "CONT";
  }
}

class RemoteRun {
 public:
  RemoteRun(UniqueFd socket, const cli::ExecRequest& request) : socket_(std::move(socket)), request_(request) {}
  int run(const Json& params);

 private:
  Status send(const Json& message) { return write_all(socket_.get(), rpc::dump_line(message) + "\n", "send to the service"); }
  // Returns an exit status once the run's answer arrived, nothing while it goes on.
  std::optional<int> handle(const std::string& line);

  UniqueFd socket_;
  const cli::ExecRequest& request_;
  bool saw_stderr_ = false;
};

std::optional<int> RemoteRun::handle(const std::string& line) {
  const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!message.is_object()) return std::nullopt;
  if (message.value("method", "") == "run.output") {
    const Json& p = message["params"];
    if (!p.is_object() || p.value("id", Json(nullptr)) != Json(1)) return std::nullopt;
    std::string data = p.value("data", "");
    if (p.value("encoding", "") == "base64") {
      auto decoded = rpc::base64_decode(data);
      if (!decoded) return std::nullopt;
      data = std::move(*decoded);
    }
    const bool err = p.value("stream", "") == "stderr";
    saw_stderr_ = saw_stderr_ || err;
    auto written = write_all(err ? STDERR_FILENO : STDOUT_FILENO, data, "write the output");
    // Whoever read the output is gone (`| head`). The program cannot be shown the broken pipe
    // from here, so this ends as a program killed by SIGPIPE does, and the service cancels the
    // run once this connection closes; otherwise a program that writes forever would run on.
    if (!written && reader_gone(written.error())) return kExitReaderGone;
    return std::nullopt;
  }
  const Json id = message.value("id", Json(nullptr));
  if (message.contains("error") && (id == Json(1) || id.is_null())) {
    const Json& e = message["error"];
    const int code = e.value("code", 0);
    // A run that failed to start already told its story on the streamed stderr.
    if (!(code == rpc::kRunFailed && saw_stderr_)) spdlog::error("{}", e.value("message", "the service refused the run"));
    if (e.contains("data") && e["data"].is_object() && e["data"].contains("exit_status")) {
      return e["data"]["exit_status"].get<int>();
    }
    return kExitUsage;
  }
  if (id == Json(1) && message.contains("result")) {
    const Json& result = message["result"];
    if (result.contains("verdict") && result["verdict"].is_object()) {
      if (auto written = write_verdict_line(rpc::dump_line(result["verdict"]) + "\n", request_); !written) {
        if (reader_gone(written.error())) return kExitReaderGone;
        spdlog::error("exec: {}", written.error().message);
        return kExitUsage;
      }
    }
    return result.value("exit_status", kExitUsage);
  }
  return std::nullopt;
}

int RemoteRun::run(const Json& params) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, sig);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd signals(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  ::signal(SIGPIPE, SIG_IGN);

  Json request = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "run"}, {"params", params}};
  if (auto sent = send(request); !sent) {
    // A service that refuses the caller answers at once and closes: its reason is then
    // waiting to be read, and says more than the broken pipe does.
    const int err = sent.error().sys_errno;
    if (err != EPIPE && err != ECONNRESET) {
      spdlog::error("exec: --remote: {}", sent.error().message);
      return kExitUsage;
    }
  }
  rpc::LineFramer framer(1u << 30);
  pollfd fds[2] = {{socket_.get(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
  while (true) {
    if (::poll(fds, signals.valid() ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("exec: --remote: poll: {}", std::strerror(errno));
      return kExitUsage;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(signals.get(), &info, sizeof(info)) == sizeof(info)) {
        // Forwarded, as `sbx exec` forwards signals to the program.
        const Json forward = {{"jsonrpc", "2.0"},
                              {"method", "signal"},
                              {"params", {{"id", 1}, {"signal", signal_name(static_cast<int>(info.ssi_signo))}}}};
        (void)send(forward);
      }
    }
    if (fds[0].revents == 0) continue;
    char buf[65536];
    const ssize_t n = ::read(socket_.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      spdlog::error("exec: --remote: the service closed the connection before the run ended");
      return kExitUsage;
    }
    std::vector<rpc::Frame> frames;
    framer.feed(std::string_view(buf, static_cast<size_t>(n)), frames);
    for (const auto& f : frames) {
      if (f.oversized) continue;
      if (auto status = handle(f.line)) return *status;
    }
  }
}

}  // namespace

Result<Json> remote_run_params(const cli::ExecRequest& request) {
  const policy::Policy& p = request.policy;
  if (!p.binds.empty()) {
    return make_error(p.binds.front().origin + ": not with --remote (the service cannot see your files)");
  }
  if (p.limits.cgroup_parent) return make_error("--cgroup-parent: not with --remote (the service places its runs)");
  // The service's workspace is a fresh directory of its own, writable, and gone after the run.
  if (p.workspace_writable) {
    return make_error("--rw: not with --remote (the service cannot see your directory: every run gets a fresh, "
                      "writable /workspace of the service's, emptied after the run)");
  }
  if (!p.mount_workspace) {
    return make_error("--no-workspace: not with --remote (the service gives every run a fresh, empty /workspace)");
  }
  Json params = Json::object();
  params["argv"] = p.argv;
  if (!request.remote_policy.empty()) params["policy"] = request.remote_policy;
  Json env = Json::object();
  Json secrets = Json::object();
  for (const auto& s : p.secrets) {
    if (!s.inject) {
      return make_error("--redact: not with --remote (the value would show in the service's process list); use --secret");
    }
    secrets[s.name] = s.value;
  }
  for (const auto& var : p.env) {
    if (!secrets.contains(var.name)) env[var.name] = var.value;
  }
  params["env"] = std::move(env);
  if (!secrets.empty()) params["secrets"] = std::move(secrets);
  if (p.rootfs != "host") params["rootfs"] = p.rootfs;
  params["workdir"] = p.workdir;
  if (p.network != policy::NetworkMode::kNone) params["network"] = policy::network_mode_name(p.network);
  if (p.hostname != "sbx") params["hostname"] = p.hostname;
  if (p.uid != 1000) params["uid"] = p.uid;
  if (p.gid != 1000) params["gid"] = p.gid;
  if (p.read_only) params["read_only"] = true;
  Json tmpfs = Json::array();
  for (const auto& t : p.tmpfs) tmpfs.push_back(t.target + ":size=" + std::to_string(t.size_bytes));
  if (!tmpfs.empty()) params["tmpfs"] = std::move(tmpfs);
  Json ulimits = Json::array();
  for (const auto& r : p.rlimits) {
    if (r.resource == RLIMIT_CPU && p.limits.cpu_seconds) continue;  // sent as cpu_time
    ulimits.push_back(std::string(rlimits::resource_name(r.resource)) + "=" + rlimit_value(r.soft) + ":" +
                      rlimit_value(r.hard));
  }
  if (!ulimits.empty()) params["ulimits"] = std::move(ulimits);
  if (p.landlock == policy::Enforcement::kBestEffort) params["landlock"] = "best-effort";
  if (p.seccomp == policy::Enforcement::kBestEffort) params["seccomp"] = "best-effort";
  Json limits = Json::object();
  const auto seconds = [](std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); };
  if (p.limits.timeout) limits["timeout"] = seconds(*p.limits.timeout);
  if (p.limits.kill_after != std::chrono::seconds(5)) limits["kill_after"] = seconds(p.limits.kill_after);
  if (p.limits.cpu_seconds) limits["cpu_time"] = *p.limits.cpu_seconds;
  if (p.limits.output_limit_bytes != kDefaultOutputLimit) limits["output_limit"] = p.limits.output_limit_bytes;
  if (p.limits.on_output_limit == policy::OutputLimitAction::kKill) limits["on_output_limit"] = "kill";
  if (p.limits.memory_bytes) limits["memory"] = *p.limits.memory_bytes;
  if (p.limits.pids) limits["pids"] = *p.limits.pids;
  if (p.limits.cpus) limits["cpus"] = *p.limits.cpus;
  if (p.limits.cgroup == policy::Enforcement::kBestEffort) limits["cgroup"] = "best-effort";
  if (!limits.empty()) params["limits"] = std::move(limits);
  params["stream"] = !request.json;
  if (auto bad = first_non_utf8(params, "")) {
    return make_error(option_of(*bad) +
                      ": not valid UTF-8, which --remote cannot send (a request to the service is JSON text); "
                      "run without --remote, or pass the value encoded (base64) and decode it in the sandbox");
  }
  return params;
}

std::vector<std::string> local_files_named(const std::vector<std::string>& argv) {
  std::vector<std::string> found;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    // A bare command name is looked up in the sandbox's PATH, not here.
    const bool could_be_path = i > 0 || arg.find('/') != std::string::npos;
    if (!could_be_path || arg.empty() || arg[0] == '-' || arg[0] == '/' || arg.find('=') != std::string::npos) continue;
    if (arg == "." || arg == "..") continue;  // the sandbox has its own
    struct stat st {};
    if (::stat(arg.c_str(), &st) == 0) found.push_back(arg);
  }
  return found;
}

int run_remote_exec(const cli::ExecRequest& request, const GlobalOptions& global) {
  (void)global;
  auto params = remote_run_params(request);
  if (!params) {
    spdlog::error("exec: {}", params.error().message);
    return kExitUsage;
  }
  for (const auto& name : local_files_named(request.policy.argv)) {
    spdlog::warn("exec: --remote: {} is in your directory, which the service cannot see (every run's /workspace "
                 "starts empty): send what the program needs on stdin, or run without --remote",
                 name);
  }
  auto input = read_stdin();
  if (!input) {
    spdlog::error("exec: {}", input.error().message);
    return kExitUsage;
  }
  if (!input->empty()) {
    if (rpc::is_valid_utf8(*input)) {
      (*params)["stdin"] = std::move(*input);
    } else {
      (*params)["stdin_base64"] = rpc::base64_encode(*input);
    }
  }
  auto socket = connect_socket(request.remote);
  if (!socket) {
    spdlog::error("exec: {}", socket.error().message);
    return kExitUsage;
  }
  RemoteRun run(std::move(*socket), request);
  return run.run(*params);
}

}  // namespace sbx::app
