#include "doctor/bounded_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "base/unique_fd.h"

namespace sbx::doctor {
namespace {

// Polls rather than blocking in waitpid so the limit holds even if the child wedges.
Result<int> reap_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  long nap_ns = 100'000;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return errno_error("waitpid");
    if (std::chrono::steady_clock::now() >= deadline) break;
    const timespec nap{0, nap_ns};
    ::nanosleep(&nap, nullptr);
    nap_ns = std::min(nap_ns * 2, 10'000'000L);
  }
  ::kill(pid, SIGKILL);
  // SIGKILL cannot be caught, so this wait ends as soon as the kernel tears the child down.
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return make_error("probe child did not finish within " + std::to_string(limit.count()) +
                    " ms and was killed");
}

}  // namespace

Result<ChildOutcome> run_bounded_child(ChildBody body, const void* arg,
                                       std::chrono::milliseconds limit) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe2");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return errno_error("fork");
  if (pid == 0) {
    const ChildOutcome outcome = body(arg);
    (void)!::write(write_end.get(), &outcome, sizeof(outcome));
    ::_exit(outcome.stage == 0 ? 0 : 1);  // _exit: never run the parent's atexit handlers
  }
  write_end.reset();

  SBX_ASSIGN_OR_RETURN(const int status, reap_within(pid, limit));
  if (WIFSIGNALED(status)) {
    return make_error("probe child was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  ChildOutcome outcome;
  ssize_t n;
  do {
    n = ::read(read_end.get(), &outcome, sizeof(outcome));
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(outcome))) {
    return make_error("probe child exited with status " + std::to_string(WEXITSTATUS(status)) +
                      " without a report");
  }
  return outcome;
}

}  // namespace sbx::doctor
