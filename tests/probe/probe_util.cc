#include "probe_util.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sbx::probe {
namespace {

std::string errno_name(int err) {
  const char* name = ::strerrorname_np(err);
  return name != nullptr ? name : "E?";
}

}  // namespace

// "errno=13 (EACCES)": the one format tests grep for.
std::string describe_errno(int err) { return "errno=" + std::to_string(err) + " (" + errno_name(err) + ")"; }

int report(std::string_view what, int err) {
  if (err == 0) {
    std::printf("%.*s: ok\n", static_cast<int>(what.size()), what.data());
  } else {
    std::printf("%.*s: %s\n", static_cast<int>(what.size()), what.data(), describe_errno(err).c_str());
  }
  return err;
}

// The result of one syscall attempt: 0 or the errno it failed with.
int errno_of(long rc) { return rc < 0 ? errno : 0; }

// Runs fn in a forked child and reports how the child ended. Used for attempts that might be
// answered with SIGSYS (seccomp kill) or SIGSEGV (int 0x80 without IA32 emulation), so the probe
// still gets to print a result. Returns 0 on success, the child's errno exit, or 128+signal.
int in_child(const std::function<int()>& fn, std::string* how) {
  std::fflush(stdout);  // or the child would print the parent's buffered lines a second time
  const pid_t pid = ::fork();
  if (pid < 0) {
    *how = "fork " + describe_errno(errno);
    return errno;
  }
  if (pid == 0) {
    const int rc = fn();
    std::fflush(stdout);
    ::_exit(rc);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) {
    *how = "waitpid " + describe_errno(errno);
    return errno;
  }
  if (WIFSIGNALED(status)) {
    *how = "signal=" + std::to_string(WTERMSIG(status)) + " (" + sigabbrev_np(WTERMSIG(status)) + ")";
    return 128 + WTERMSIG(status);
  }
  const int code = WEXITSTATUS(status);
  *how = code == 0 ? "ok" : describe_errno(code);
  return code;
}

// Waits up to timeout_ms for fd to become ready for `events`. 0, or the errno (ETIMEDOUT).
int wait_ready(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  const int rc = ::poll(&p, 1, timeout_ms);
  if (rc < 0) return errno;
  return rc == 0 ? ETIMEDOUT : 0;
}

}  // namespace sbx::probe
