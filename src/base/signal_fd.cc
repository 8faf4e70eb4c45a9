#include "base/signal_fd.h"

#include <sys/signalfd.h>
#include <unistd.h>

namespace sbx {

Result<SignalFd> SignalFd::block(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : signals) sigaddset(&set, sig);
  sigset_t previous;
  if (::sigprocmask(SIG_BLOCK, &set, &previous) != 0) return errno_error("sigprocmask");
  UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd.valid()) {
    auto error = errno_error("signalfd");
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    return error;
  }
  return SignalFd(std::move(fd), previous);
}

SignalFd::SignalFd(SignalFd&& other) noexcept : fd_(std::move(other.fd_)), previous_(other.previous_) {
  other.restore_ = false;
}

SignalFd::~SignalFd() {
  if (restore_) ::sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

int SignalFd::read_one() const {
  signalfd_siginfo info{};
  if (::read(fd_.get(), &info, sizeof(info)) != sizeof(info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace sbx
