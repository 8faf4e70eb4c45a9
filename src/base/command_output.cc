#include "base/command_output.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/spawn_setup.h"
#include "base/unique_fd.h"

extern char** environ;

namespace sbx {
namespace {

using Clock = std::chrono::steady_clock;

void append_bounded(std::string& to, const char* data, size_t n) {
  if (to.size() < kCommandOutputLimit) to.append(data, std::min(n, kCommandOutputLimit - to.size()));
}

}  // namespace

Result<CommandOutput> run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  if (argv.empty()) return make_error("run_command: empty argv");
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return errno_error("pipe");
  UniqueFd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return errno_error("pipe");
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull.valid()) return errno_error("open /dev/null");

  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, devnull.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, out_w.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, err_w.get(), STDERR_FILENO);
  // Its own group, so a timeout also stops whatever it started; default signal handling and an
  // empty mask whatever this process has blocked.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &all);

  std::vector<std::string> args_copy = argv;
  std::vector<char*> args;
  for (auto& a : args_copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  if (const int r = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ); r != 0) {
    return Error{r, "cannot run " + argv[0] + ": " + std::strerror(r)};
  }
  out_w.reset();
  err_w.reset();

  CommandOutput result;
  const auto deadline = Clock::now() + limit;
  bool timed_out = false;
  while (out_r.valid() || err_r.valid()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) break;
    UniqueFd* pipes[2] = {&out_r, &err_r};
    std::string* sinks[2] = {&result.out, &result.err};
    for (int i = 0; i < 2; ++i) {
      if (!pipes[i]->valid() || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = ::read(pipes[i]->get(), buf, sizeof buf);
      if (n > 0) {
        append_bounded(*sinks[i], buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        pipes[i]->reset();
      }
    }
  }
  int status = 0;
  // It may close its output and keep running: the deadline still holds.
  while (!timed_out) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    if (Clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    ::usleep(1000);
  }
  if (timed_out) {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (timed_out) return make_error(argv[0] + " did not finish within " + std::to_string(limit.count()) + " ms");
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace sbx
