#include "selftest/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include "base/unique_fd.h"

extern char** environ;

namespace sbx::selftest {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kRunDeadline = 30s;            // no run may take longer; then its group is killed
constexpr size_t kKeep = 64 * 1024;           // output kept for reading the attack's report
constexpr size_t kFloodThreshold = 2u << 20;  // more stdout than this got past a 1 MiB limit
constexpr const char* kReportPrefix = "sbx-selftest: ";

struct Spawned {
  int status = 0;
  std::string err;
  size_t out_bytes = 0;
  Clock::time_point ended;
};

std::vector<std::string> split_words(const char* text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Spawns argv with stdin `stdin_fd` (or /dev/null), in its own process group, and collects its
// output until it exits. `polite_timeout`: the control's stand-in for a naive timeout, SIGTERM
// to the process itself (not its group, not SIGKILL) once it has run that long.
Result<Spawned> spawn_and_wait(const std::vector<std::string>& argv, const std::string& cwd, int stdin_fd,
                               std::optional<std::chrono::milliseconds> polite_timeout, const std::string& env_canary) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) return errno_error("selftest: pipe");
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]), err_r(err_pipe[0]), err_w(err_pipe[1]);
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd >= 0 ? stdin_fd : devnull.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), STDERR_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.push_back(std::string(kEnvCanaryName) + "=" + env_canary);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int r = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (r != 0) return Error{r, "selftest: spawn " + argv[0]};
  out_w.reset();
  err_w.reset();

  Spawned s;
  const auto start = Clock::now();
  bool termed = false, exited = false;
  std::string out_kept;
  while (true) {
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    const bool open_out = out_r.get() >= 0, open_err = err_r.get() >= 0;
    if (!open_out && !open_err && exited) break;
    ::poll(fds, 2, 50);
    char buf[65536];
    if (open_out && (fds[0].revents & (POLLIN | POLLHUP)) != 0) {
      const ssize_t n = ::read(out_r.get(), buf, sizeof buf);
      if (n <= 0) out_r.reset();
      else s.out_bytes += static_cast<size_t>(n);
    }
    if (open_err && (fds[1].revents & (POLLIN | POLLHUP)) != 0) {
      const ssize_t n = ::read(err_r.get(), buf, sizeof buf);
      if (n <= 0) err_r.reset();
      else if (s.err.size() < kKeep) s.err.append(buf, static_cast<size_t>(n));
    }
    if (!exited && ::waitpid(pid, &s.status, WNOHANG) == pid) {
      exited = true;
      s.ended = Clock::now();
    }
    const auto elapsed = Clock::now() - start;
    if (!termed && polite_timeout && elapsed > *polite_timeout && !exited) {
      ::kill(pid, SIGTERM);
      termed = true;
    }
    if (elapsed > kRunDeadline) {
      // Survivors in other sessions keep the pipes open; they end by themselves shortly.
      ::kill(-pid, SIGKILL);
      if (!exited) {
        ::waitpid(pid, &s.status, 0);
        s.ended = Clock::now();
      }
      break;
    }
    // After the process itself is gone, stop waiting for the pipes of escaped survivors.
    if (exited && Clock::now() - s.ended > 500ms) break;
  }
  return s;
}

RunSide read_report(const Spawned& s) {
  RunSide side;
  side.exit_status = WIFEXITED(s.status) ? WEXITSTATUS(s.status) : 128 + WTERMSIG(s.status);
  const auto at = s.err.find(kReportPrefix);
  if (at == std::string::npos) {
    side.detail = "no report (exit status " + std::to_string(side.exit_status) + ")";
    return side;
  }
  std::string line = s.err.substr(at + std::strlen(kReportPrefix));
  line = line.substr(0, line.find('\n'));
  side.escaped = line.starts_with("escaped: ");
  side.detail = line.substr(line.find(": ") + 2);
  return side;
}

// The forbidden effects the host can see for itself.
void check_host(const Attack& attack, Fixture& fixture, const Spawned& s, Clock::time_point started, RunSide& side) {
  auto saw = [&side](const std::string& what) {
    side.escaped = true;
    side.detail = what + "; " + side.detail;
  };
  switch (attack.host_check) {
    case HostCheck::kNone:
      break;
    case HostCheck::kCanaryFile:
      if (!fixture.canary_file_intact()) saw("the host's canary directory changed");
      break;
    case HostCheck::kCanaryProcess:
      if (!fixture.canary_process_alive()) saw("the host's canary process is dead");
      break;
    case HostCheck::kListeners:
      if (fixture.listener_hits() > 0) saw("a host listener was reached");
      break;
    case HostCheck::kWorkspaceMarker: {
      // The survivors mark at most 4.5 s after the attack started; give them until then.
      std::this_thread::sleep_until(std::max(s.ended, started + 4700ms));
      if (std::filesystem::exists(fixture.targets().workspace + "/late-marker")) saw("a process outlived the run");
      break;
    }
    case HostCheck::kOutputVolume:
      if (s.out_bytes > kFloodThreshold) saw(std::to_string(s.out_bytes >> 20) + " MiB of output reached the caller");
      break;
  }
}

RunSide run_side(const Attack& attack, Fixture& fixture, const RunnerOptions& options, bool control) {
  RunSide side;
  if (auto reset = fixture.reset(); !reset) {
    side.sbx_failed = true;
    side.detail = reset.error().message;
    return side;
  }
  const Targets& t = fixture.targets();
  std::vector<std::string> argv;
  std::string cwd = t.workspace;
  const std::string attack_args_json = targets_to_json(t);
  std::optional<std::chrono::milliseconds> polite;
  const auto limits = split_words(attack.limits);
  if (control) {
    // The runc-style attack needs a copy of sbx to aim at; the real one is never written.
    if (std::string(attack.name) == "fs.overwrite-sbx-binary") {
      std::error_code ec;
      std::filesystem::copy_file(t.sbx_binary, t.workspace + "/sbx-copy", ec);
    }
    argv = {options.sbx_binary, "selftest", "--attack", attack.name, "--control", "--targets", attack_args_json};
    for (size_t i = 0; i + 1 < limits.size(); ++i) {
      if (limits[i] == "--timeout") polite = 1000ms;
    }
  } else {
    argv = {options.sbx_binary, "exec"};
    argv.insert(argv.end(), options.policy.begin(), options.policy.end());
    bool has_timeout = false;
    for (const auto& w : limits) has_timeout = has_timeout || w == "--timeout";
    if (!has_timeout) argv.insert(argv.end(), {"--timeout", "20s", "--kill-after", "2s"});
    argv.insert(argv.end(), limits.begin(), limits.end());
    argv.insert(argv.end(), {"--no-workspace", "-v", t.workspace + ":/workspace:rw", "-v",
                             t.sbx_binary + ":/sbx-selftest:ro", "-w", "/workspace", "--", "/sbx-selftest",
                             "selftest", "--attack", attack.name, "--targets", attack_args_json});
  }
  const auto started = Clock::now();
  auto spawned = spawn_and_wait(argv, cwd, attack.terminal ? fixture.terminal() : -1, polite, t.env_canary);
  if (!spawned) {
    side.sbx_failed = true;
    side.detail = spawned.error().message;
    return side;
  }
  side = read_report(*spawned);
  if (!control && side.exit_status == 125 && spawned->err.find(kReportPrefix) == std::string::npos) {
    side.sbx_failed = true;
    side.detail = "sbx could not run the attack: " + spawned->err.substr(0, spawned->err.find('\n'));
    return side;
  }
  check_host(attack, fixture, *spawned, started, side);
  return side;
}

}  // namespace

AttackOutcome run_attack(const Attack& attack, Fixture& fixture, const RunnerOptions& options) {
  AttackOutcome o;
  o.attack = &attack;
  o.control = run_side(attack, fixture, options, /*control=*/true);
  o.sandbox = run_side(attack, fixture, options, /*control=*/false);
  if (o.sandbox.escaped || o.sandbox.sbx_failed) {
    o.verdict = "fail";
  } else if (!o.control.escaped) {
    o.verdict = "not demonstrable";
  } else {
    o.verdict = "pass";
  }
  return o;
}

}  // namespace sbx::selftest
