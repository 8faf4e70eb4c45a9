#include "supervisor/signals.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <initializer_list>

namespace sbx::supervisor {

Result<ForwardedSignals> ForwardedSignals::block() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGCHLD}) {
    sigaddset(&set, sig);
  }
  sigset_t previous;
  if (::sigprocmask(SIG_BLOCK, &set, &previous) != 0) return errno_error("sigprocmask");
  UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd.valid()) {
    auto error = errno_error("signalfd");
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    return error;
  }
  return ForwardedSignals(std::move(fd), previous);
}

ForwardedSignals::ForwardedSignals(ForwardedSignals&& other) noexcept
    : fd_(std::move(other.fd_)), previous_(other.previous_) {
  other.restore_ = false;
}

ForwardedSignals::~ForwardedSignals() {
  if (restore_) ::sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

int ForwardedSignals::read_one() const {
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof(info)) != sizeof(info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace sbx::supervisor
