// The answer sbx's own diagnosis is checked against: whether this test process (the same user
// as sbx) can create a user namespace, tried directly in a forked child.
#pragma once

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace sbx::testing {

// 0 when a forked child could create a user namespace, else the errno (-1 if it did not exit).
inline int direct_userns_attempt() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace sbx::testing
