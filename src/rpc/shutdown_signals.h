// SIGTERM, SIGINT and SIGHUP as readable events on the loop (a signalfd), so shutdown is an
// ordinary step of the single-threaded loop rather than work done in a signal handler. Also
// ignores SIGPIPE: a client that goes away is noticed as EPIPE, never as death.
#pragma once

#include <signal.h>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::rpc {

class ShutdownSignals {
 public:
  static Result<ShutdownSignals> install();
  ShutdownSignals(ShutdownSignals&& other) noexcept;
  ShutdownSignals& operator=(ShutdownSignals&&) = delete;
  ~ShutdownSignals();

  int fd() const { return fd_.get(); }
  // The pending signal's number, or 0.
  int read_one() const;

 private:
  ShutdownSignals(UniqueFd fd, sigset_t previous) : fd_(std::move(fd)), previous_(previous) {}
  UniqueFd fd_;
  sigset_t previous_;
  bool restore_ = true;
};

}  // namespace sbx::rpc
