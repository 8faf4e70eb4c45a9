#include "base/pidfd_child.h"

#include <sys/wait.h>

#include <string>
#include <utility>

#include "sys/raw_syscalls.h"

namespace sbx {

PidfdChild::PidfdChild(PidfdChild&& other) noexcept
    : pid_(other.pid_), pidfd_(std::move(other.pidfd_)), reaped_(std::exchange(other.reaped_, true)) {}

PidfdChild::~PidfdChild() {
  if (reaped_ || !pidfd_.valid()) return;
  sys::pidfd_send_signal(pidfd_.get(), SIGKILL);
  siginfo_t info{};
  while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED) < 0 && errno == EINTR) {
  }
}

void PidfdChild::signal(int sig) noexcept {
  if (!reaped_ && pidfd_.valid()) sys::pidfd_send_signal(pidfd_.get(), sig);
}

Result<siginfo_t> PidfdChild::reap(std::string_view what) {
  siginfo_t info{};
  while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED) < 0) {
    if (errno != EINTR) return errno_error("waitid (" + std::string(what) + ")");
  }
  reaped_ = true;
  return info;
}

int wait_status_of(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return W_EXITCODE(info.si_status, 0);
  return info.si_status & 0x7f;  // killed or dumped: the signal, as WTERMSIG reads it
}

}  // namespace sbx
