#include "rpc/worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "sys/descriptor_placement.h"
#include "sys/raw_syscalls.h"

namespace sbx::rpc {
namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Between vfork and execve: only async-signal-safe calls on data prepared before the vfork,
// and no return: the child borrows the server's memory and stack until it execs.
[[noreturn]] void exec_worker(pid_t parent, char* const* argv, char* const* envp, const WorkerStdio& stdio) noexcept {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(125);
  ::setpgid(0, 0);  // a terminal's ^C goes to the server, which decides what happens to runs
  int stdin_fd = stdio.stdin_fd;
  if (stdin_fd < 0) stdin_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // The sources are the server's descriptors in this child's copy of its table: consuming them
  // here leaves the server's alone.
  if (!sys::place_descriptors(std::array<int, 5>{stdin_fd, stdio.stdout_fd, stdio.stderr_fd, stdio.fd3, stdio.fd4})) {
    ::_exit(125);
  }
  sys::close_range(5, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);  // ignored in the server; an ignored disposition survives execve
  if (::chdir("/") != 0) ::_exit(125);
  ::execve(argv[0], argv, envp);
  static constexpr char kTooLarge[] =
      "sbx: error: rpc: cannot start the worker: the run's arguments and environment are over the kernel's limit "
      "(E2BIG)\n";
  static constexpr char kFailed[] = "sbx: error: rpc: cannot start the worker (execve failed)\n";
  if (errno == E2BIG) {
    (void)!::write(2, kTooLarge, sizeof(kTooLarge) - 1);
  } else {
    (void)!::write(2, kFailed, sizeof(kFailed) - 1);
  }
  ::_exit(125);
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<WorkerProcess> WorkerProcess::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                           const WorkerStdio& stdio) {
  if (argv.empty()) return make_error("worker: empty command");
  const auto argv_ptrs = pointers(argv);
  const auto env_ptrs = pointers(env);
  const pid_t parent = ::getpid();
  // vfork, not fork: the worker runs at once, where fork would queue it on this CPU behind the
  // server (which goes on to its idle work), and no page tables are copied.
  const pid_t pid = ::vfork();
  if (pid < 0) return errno_error("vfork the worker");
  if (pid == 0) exec_worker(parent, argv_ptrs.data(), env_ptrs.data(), stdio);
  // The child cannot have been reaped yet (only we wait for it), so the pid still names it.
  UniqueFd pidfd(pidfd_open(pid));
  if (!pidfd.valid()) {
    auto error = errno_error("pidfd_open");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return error;
  }
  return WorkerProcess(PidfdChild(pid, std::move(pidfd)));
}

Result<int> WorkerProcess::reap() {
  SBX_ASSIGN_OR_RETURN(const siginfo_t info, process_.reap("worker"));
  return wait_status_of(info);
}

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 125;
}

}  // namespace sbx::rpc
