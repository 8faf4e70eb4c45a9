#include "rootfs/build_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/spawn_setup.h"

extern char** environ;

namespace sbx::rootfs {
namespace {

sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
  return set;
}

class LineSplitter {
 public:
  explicit LineSplitter(ChildResult& result, const ChildOptions& options) : result_(result), options_(options) {}
  void feed(const char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      // apt redraws progress with '\r'; each redraw counts as a line.
      if (data[i] == '\n' || data[i] == '\r') {
        flush();
      } else if (partial_.size() < 4096) {
        partial_ += data[i];
      }
    }
  }
  void flush() {
    if (partial_.empty()) return;
    if (options_.on_line) options_.on_line(partial_);
    result_.tail.push_back(std::move(partial_));
    if (result_.tail.size() > options_.tail_lines) result_.tail.pop_front();
    partial_.clear();
  }

 private:
  ChildResult& result_;
  const ChildOptions& options_;
  std::string partial_;
};

}  // namespace

Result<InterruptWatch> InterruptWatch::start() {
  InterruptWatch w;
  const sigset_t set = termination_signals();
  if (::sigprocmask(SIG_BLOCK, &set, &w.old_mask_) != 0) return errno_error("sigprocmask");
  w.restore_ = true;
  w.fd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!w.fd_.valid()) return errno_error("signalfd");
  return w;
}

InterruptWatch::InterruptWatch(InterruptWatch&& other) noexcept
    : fd_(std::move(other.fd_)), old_mask_(other.old_mask_), restore_(other.restore_), signal_(other.signal_) {
  other.restore_ = false;
}

InterruptWatch::~InterruptWatch() {
  if (!restore_) return;
  (void)interrupted();  // consume what is pending, so unblocking does not deliver it
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

bool InterruptWatch::interrupted() {
  signalfd_siginfo info;
  while (fd_.valid() && ::read(fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    if (signal_ == 0) signal_ = static_cast<int>(info.ssi_signo);
  }
  return signal_ != 0;
}

Result<ChildResult> run_child(const std::vector<std::string>& argv, InterruptWatch& watch,
                              const ChildOptions& options) {
  if (argv.empty()) return make_error("run_child: empty argv");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return errno_error("pipe");
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  SpawnSetup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&setup.actions, write_end.get(), 2);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setsigmask(&setup.attr, &watch.caller_mask());
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
  for (const auto& extra : options.extra_env) {
    const std::string prefix = extra.substr(0, extra.find('=') + 1);
    std::erase_if(env_storage, [&](const std::string& e) { return e.starts_with(prefix); });
    env_storage.push_back(extra);
  }
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_storage(argv);
  std::vector<char*> args;
  for (auto& a : argv_storage) args.push_back(a.data());
  args.push_back(nullptr);

  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), envp.data());
  if (rc != 0) {
    errno = rc;
    return errno_error("cannot run " + argv[0]);
  }
  write_end.reset();

  ChildResult result;
  LineSplitter splitter(result, options);
  using Clock = std::chrono::steady_clock;
  auto next_tick = Clock::now() + std::chrono::seconds(1);
  std::optional<Clock::time_point> kill_at;
  bool open = true;
  while (open) {
    const auto now = Clock::now();
    if (now >= next_tick) {
      if (options.on_tick) options.on_tick();
      next_tick = now + std::chrono::seconds(1);
    }
    if (kill_at && now >= *kill_at) {
      ::kill(-pid, SIGKILL);
      kill_at.reset();
    }
    pollfd fds[2] = {{read_end.get(), POLLIN, 0}, {watch.fd(), POLLIN, 0}};
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now).count();
    if (::poll(fds, 2, static_cast<int>(std::max<long>(wait, 1))) < 0 && errno != EINTR) {
      return errno_error("poll");
    }
    if (fds[1].revents & POLLIN && watch.interrupted() && !result.interrupted) {
      result.interrupted = true;
      ::kill(-pid, SIGTERM);
      kill_at = Clock::now() + options.stop_grace;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[8192];
      const ssize_t n = ::read(read_end.get(), buf, sizeof(buf));
      if (n > 0) {
        splitter.feed(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        open = false;
      }
    }
  }
  splitter.flush();
  // Wait without reaping first: while the child is a zombie its pid, and so its process group
  // id, cannot be reused, so the group kill below reaches only helpers it left behind.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0) {
    if (errno != EINTR) return errno_error("waitid");
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errno_error("waitpid");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace sbx::rootfs
