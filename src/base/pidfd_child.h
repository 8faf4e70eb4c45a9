// A child process held by its pidfd. Whoever holds it either reaps it or, by letting go of it
// unreaped, kills it and reaps it then: no child of sbx outlives the object that started it.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx {

class PidfdChild {
 public:
  PidfdChild(pid_t pid, UniqueFd pidfd) noexcept : pid_(pid), pidfd_(std::move(pidfd)) {}
  PidfdChild(PidfdChild&& other) noexcept;
  PidfdChild& operator=(PidfdChild&&) = delete;
  PidfdChild(const PidfdChild&) = delete;
  ~PidfdChild();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }  // readable once the child has exited
  bool reaped() const { return reaped_; }

  // Sends `sig`, unless the child has been reaped (its pid may name another process by then).
  void signal(int sig) noexcept;
  // Waits for the child to end and reaps it. `what` names it in the error.
  Result<siginfo_t> reap(std::string_view what);
  // Gives the child up without reaping it: whoever inherits it does.
  void release() noexcept { reaped_ = true; }

 private:
  pid_t pid_;
  UniqueFd pidfd_;
  bool reaped_ = false;
};

// The wait status (as waitpid gives it) of a reaped child: its exit code, or the signal.
int wait_status_of(const siginfo_t& info);

}  // namespace sbx
