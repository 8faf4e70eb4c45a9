// The wall-clock timeout as a timerfd the supervisor polls: first it asks the program to stop
// (SIGTERM), then, after the grace, it ends everything (SIGKILL).
#pragma once

#include <chrono>
#include <optional>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::supervisor {

class Deadline {
 public:
  enum class Phase { kRunning, kTerminating, kKilled };

  // No timeout: fd() is -1 and the deadline never fires.
  static Result<Deadline> arm(std::optional<std::chrono::nanoseconds> timeout, std::chrono::nanoseconds grace);

  int fd() const { return fd_.get(); }
  Phase phase() const { return phase_; }
  // Call when fd() is readable: moves to the next phase (re-arming for the grace) and returns it.
  Result<Phase> advance();

 private:
  Deadline(UniqueFd fd, std::chrono::nanoseconds grace) : fd_(std::move(fd)), grace_(grace) {}

  UniqueFd fd_;
  std::chrono::nanoseconds grace_;
  Phase phase_ = Phase::kRunning;
};

}  // namespace sbx::supervisor
