// Signals taken as readable events on a descriptor (a signalfd) instead of by handlers: they are
// blocked first, so none can arrive between blocking and watching the descriptor, and the
// previous mask comes back when the object goes.
#pragma once

#include <signal.h>

#include <initializer_list>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx {

class SignalFd {
 public:
  static Result<SignalFd> block(std::initializer_list<int> signals);
  SignalFd(SignalFd&& other) noexcept;
  SignalFd& operator=(SignalFd&&) = delete;
  ~SignalFd();

  int fd() const { return fd_.get(); }
  // Reads one pending signal number, or 0 when none is pending.
  int read_one() const;

 private:
  SignalFd(UniqueFd fd, sigset_t previous) : fd_(std::move(fd)), previous_(previous) {}
  UniqueFd fd_;
  sigset_t previous_;
  bool restore_ = true;
};

}  // namespace sbx
