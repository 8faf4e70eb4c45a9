// Running the build's helper programs (mmdebstrap, tar) so that Ctrl-C, SIGTERM or SIGHUP never
// leave a half-built tree: the signals are blocked for the whole build and read from a signalfd,
// a child is stopped with SIGTERM (mmdebstrap then cleans up its own temporary directory), and
// the caller removes its build directory before exiting.
#pragma once

#include <signal.h>

#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::rootfs {

class InterruptWatch {
 public:
  // Blocks SIGINT, SIGTERM, SIGHUP and SIGQUIT until destroyed.
  static Result<InterruptWatch> start();
  InterruptWatch(InterruptWatch&& other) noexcept;
  InterruptWatch& operator=(InterruptWatch&&) = delete;
  InterruptWatch(const InterruptWatch&) = delete;
  ~InterruptWatch();

  // Reads pending signals; true once any arrived.
  bool interrupted();
  int signal_number() const { return signal_; }  // the first one, 0 if none
  int fd() const { return fd_.get(); }
  const sigset_t& caller_mask() const { return old_mask_; }

 private:
  InterruptWatch() = default;
  UniqueFd fd_;
  sigset_t old_mask_{};
  bool restore_ = false;
  int signal_ = 0;
};

struct ChildResult {
  int exit_code = 0;              // 128+N when killed by signal N
  bool interrupted = false;       // we stopped it because the build was interrupted
  std::deque<std::string> tail;   // its last output lines
};

struct ChildOptions {
  std::function<void(std::string_view line)> on_line;  // each output line (stdout and stderr)
  std::function<void()> on_tick;                      // about once a second
  size_t tail_lines = 30;
  std::chrono::seconds stop_grace{30};                // SIGTERM -> SIGKILL
  std::vector<std::string> extra_env;                 // NAME=VALUE added to ours
};

// Runs argv (looked up in PATH) in its own process group with stdin from /dev/null and stdout
// and stderr into a pipe read line by line.
Result<ChildResult> run_child(const std::vector<std::string>& argv, InterruptWatch& watch,
                              const ChildOptions& options);

}  // namespace sbx::rootfs
