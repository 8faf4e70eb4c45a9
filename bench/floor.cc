// The floor: the least any full-isolation sandbox must do. One clone3 into fresh user, mount, pid, net,
// ipc and uts namespaces, then execve the command; the parent waits and passes the status on. No
// uid map, no mounts, no filters: every sandbox's start-up cost is this plus its own setup work, so
// bench/run measures sbx and its peers against it.
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sbx-bench-floor PROGRAM [ARG...]\n");
    return 125;
  }
  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  args.exit_signal = SIGCHLD;
  const long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    std::fprintf(stderr, "sbx-bench-floor: clone3: %s\n", std::strerror(errno));
    return 125;
  }
  if (pid == 0) {
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  while (waitpid(static_cast<pid_t>(pid), &status, 0) < 0) {
    if (errno != EINTR) return 125;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
