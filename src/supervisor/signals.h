// Signals sbx forwards into the sandbox instead of dying from them. Blocked before clone so no
// signal can arrive between starting the sandbox and watching the signalfd.
#pragma once

#include <signal.h>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::supervisor {

class ForwardedSignals {
 public:
  static Result<ForwardedSignals> block();
  ForwardedSignals(ForwardedSignals&& other) noexcept;
  ForwardedSignals& operator=(ForwardedSignals&&) = delete;
  ~ForwardedSignals();

  int fd() const { return fd_.get(); }
  // Reads one pending signal number, or 0 when none is pending.
  int read_one() const;

 private:
  ForwardedSignals(UniqueFd fd, sigset_t previous) : fd_(std::move(fd)), previous_(previous) {}
  UniqueFd fd_;
  sigset_t previous_;
  bool restore_ = true;
};

}  // namespace sbx::supervisor
