#include "sbx_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

extern char** environ;

namespace sbx::e2e {
namespace {

std::string from_env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// The test's environment with `extra` NAME=VALUE entries added or replacing same-named ones.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& x : extra) replaced = replaced || x.substr(0, x.find('=')) == name;
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Between fork and execve only async-signal-safe calls: the test may have threads (the UDP echo
// server), and everything the child needs was built before fork.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp, int in, int out,
                             int err, const char* cwd, const sock_fprog* filter) {
  // An ignored SIGPIPE (the parent ignores it while feeding stdin) would survive execve.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(120);
  if (cwd != nullptr && ::chdir(cwd) != 0) ::_exit(121);
  if (filter != nullptr && (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                            ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) != 0)) {
    ::_exit(123);
  }
  ::execve(path, argv, envp);
  ::_exit(122);
}

bool set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

}  // namespace

std::string sbx_binary() { return from_env("SBX_BINARY", SBX_BINARY); }
std::string probe_binary() { return from_env("SBX_PROBE", SBX_PROBE); }
std::string source_dir() { return from_env("SBX_SOURCE_DIR", SBX_SOURCE_DIR); }

std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  os << "\n  command: " << r.command << "\n  status: " << r.status();
  if (r.term_signal != 0) os << " (signal " << r.term_signal << ")";
  if (r.timed_out) os << " (timed out and killed)";
  os << " after " << r.elapsed.count() << " ms";
  constexpr size_t kShown = 4000;
  os << "\n  stdout: [" << r.out.substr(0, kShown) << (r.out.size() > kShown ? "...]" : "]");
  os << "\n  stderr: [" << r.err.substr(0, kShown) << (r.err.size() > kShown ? "...]" : "]") << "\n";
  return os;
}

Process Process::start(const std::vector<std::string>& argv_in, const RunOptions& options) {
  Process p;
  p.command_ = join(argv_in);
  std::vector<std::string> argv_strings = argv_in;
  std::vector<std::string> env_strings = merged_environment(options.env);
  const std::vector<char*> argv = c_strings(argv_strings);
  const std::vector<char*> envp = c_strings(env_strings);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return p;
  }
  UniqueFd out_read(out[0]), out_write(out[1]), err_read(err[0]), err_write(err[1]);
  UniqueFd in_read, in_write;
  if (options.stdin_text) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2: " << std::strerror(errno);
      return p;
    }
    in_read.reset(in[0]);
    in_write.reset(in[1]);
    p.stdin_text_ = *options.stdin_text;
  } else if (options.stdin_fd < 0) {
    in_read.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  const int child_stdin = options.stdin_fd >= 0 && !options.stdin_text ? options.stdin_fd : in_read.get();
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  p.started_ = std::chrono::steady_clock::now();
  p.deadline_ = p.started_ + options.timeout;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return p;
  }
  if (pid == 0) exec_child(argv[0], argv.data(), envp.data(), child_stdin, out_write.get(), err_write.get(), cwd,
                            options.seccomp_filter);
  p.pid_ = pid;
  p.pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!p.pidfd_.valid()) ADD_FAILURE() << "pidfd_open: " << std::strerror(errno);
  p.stdin_ = std::move(in_write);
  p.stdout_ = std::move(out_read);
  p.stderr_ = std::move(err_read);
  if (p.stdin_.valid()) set_nonblocking(p.stdin_.get());
  return p;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)),
      stdin_text_(std::move(other.stdin_text_)),
      command_(std::move(other.command_)),
      started_(other.started_),
      deadline_(other.deadline_),
      waited_(std::exchange(other.waited_, true)) {}

Process::~Process() {
  if (pid_ > 0 && !waited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

RunResult Process::wait() {
  RunResult r;
  r.command = command_;
  if (pid_ <= 0 || waited_) return r;
  waited_ = true;
  // Writing to a pipe whose reader is gone must fail with EPIPE, not kill the test.
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);

  size_t written = 0;
  if (stdin_.valid() && stdin_text_.empty()) stdin_.reset();
  bool exited = false;
  // After the process is gone, output still in flight is drained for a short while; a
  // grandchild that kept the pipes open must not stall the test either.
  std::chrono::steady_clock::time_point drain_until{};
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!exited && now >= deadline_) {
      ::kill(pid_, SIGKILL);
      r.timed_out = true;
      exited = true;
      drain_until = now + std::chrono::seconds(2);
    }
    if (exited && (now >= drain_until || (!stdout_.valid() && !stderr_.valid()))) break;
    const auto until = exited ? drain_until : deadline_;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();

    pollfd fds[4] = {{stdout_.get(), POLLIN, 0},
                     {stderr_.get(), POLLIN, 0},
                     {stdin_.get(), POLLOUT, 0},
                     {exited ? -1 : pidfd_.get(), POLLIN, 0}};
    if (::poll(fds, 4, static_cast<int>(std::max<long>(left, 1))) < 0 && errno != EINTR) {
      ADD_FAILURE() << "poll: " << std::strerror(errno);
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      char buf[65536];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        (i == 0 ? stdout_ : stderr_).reset();
      }
    }
    if (fds[2].revents != 0) {
      const ssize_t n = ::write(stdin_.get(), stdin_text_.data() + written, stdin_text_.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_text_.size()) stdin_.reset();
    }
    if (fds[3].revents != 0) {
      exited = true;
      drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    }
  }
  stdin_.reset();
  stdout_.reset();
  stderr_.reset();
  int status = 0;
  rusage usage{};
  ::wait4(pid_, &status, 0, &usage);
  r.max_rss_kb = usage.ru_maxrss;
  ::sigaction(SIGPIPE, &previous, nullptr);
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  return r;
}

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  return Process::start(argv, options).wait();
}

RunResult run_sbx(const std::vector<std::string>& args, const RunOptions& options) {
  return start_sbx(args, options).wait();
}

Process start_sbx(const std::vector<std::string>& args, const RunOptions& options) {
  std::vector<std::string> argv = {sbx_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Process::start(argv, options);
}

}  // namespace sbx::e2e
