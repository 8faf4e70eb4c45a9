#include "launch/netns_helper.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "launch/netns_helper_main.h"
#include "sys/raw_syscalls.h"

namespace sbx::launch {

Result<NetnsHelper> NetnsHelper::start(int sandbox_pidfd, int to_child, int cgroup_fd) {
  const pid_t parent = ::getpid();
  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_PIDFD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  const long pid = sys::clone3(&args);
  if (pid < 0) return errno_error("clone3 (network namespace helper)");
  if (pid == 0) netns_helper_main(sandbox_pidfd, to_child, parent);
  return NetnsHelper(PidfdChild(static_cast<pid_t>(pid), UniqueFd(pidfd)));
}

Status NetnsHelper::wait() {
  SBX_ASSIGN_OR_RETURN(const siginfo_t info, process_.reap("network namespace helper"));
  if (info.si_code == CLD_EXITED) return {};
  return make_error("the network namespace helper was killed by signal " + std::to_string(info.si_status));
}

}  // namespace sbx::launch
