// Runs the built sbx binary (or the probe directly, for host baselines) the way a user would:
// argv, an optional stdin, stdout and stderr captured separately, and a hard time limit after
// which the process is killed, so a broken sandbox can fail a test but never hang the suite.
#pragma once

#include <linux/filter.h>

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace sbx::e2e {

// Where the artefacts under test live: env SBX_BINARY / SBX_PROBE / SBX_SOURCE_DIR (tests/run
// points them at staged copies when it reruns the suite as nobody), else the build's defines.
std::string sbx_binary();
std::string probe_binary();
std::string source_dir();

// The sbx under test is built from the same tree with the same flags as the tests (tests/run's
// asan stage builds both with AddressSanitizer).
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSbxBuiltWithAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSbxBuiltWithAsan = true;
#else
inline constexpr bool kSbxBuiltWithAsan = false;
#endif
#else
inline constexpr bool kSbxBuiltWithAsan = false;
#endif

struct RunOptions {
  // Text fed to stdin through a pipe that is closed once written (by wait()). Without it stdin
  // is /dev/null, unless stdin_fd names an fd of the test (a pty, say) to hand over as-is.
  std::optional<std::string> stdin_text;
  int stdin_fd = -1;
  std::vector<std::string> env;  // NAME=VALUE added to (or replacing in) the test's environment
  std::string cwd;               // empty: the test's own working directory
  std::chrono::milliseconds timeout{20'000};
  // Installed (with no_new_privs) in the child before it execs: a host that refuses some
  // syscall to the program and everything it starts.
  const sock_fprog* seccomp_filter = nullptr;
};

struct RunResult {
  std::string command;    // for failure messages
  int exit_code = -1;     // when the process exited
  int term_signal = 0;    // when a signal ended it
  bool timed_out = false; // we killed it at RunOptions::timeout
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
  long max_rss_kb = 0;  // of the process itself or the largest child it waited for

  // The shell's view: exit code, or 128+N for signal N.
  int status() const { return term_signal != 0 ? 128 + term_signal : exit_code; }
};

std::ostream& operator<<(std::ostream& os, const RunResult& r);

// A started process whose output is collected by wait(). Killed and reaped if never waited for.
class Process {
 public:
  // argv[0] is the program's path. Fds of the test without CLOEXEC are inherited, as they
  // would be from any careless caller; that is what the fd-leak test relies on.
  static Process start(const std::vector<std::string>& argv, const RunOptions& options);

  Process(Process&& other) noexcept;
  Process& operator=(Process&&) = delete;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  // Sends stdin_text, closes stdin, collects output until the process ends (or the deadline
  // passes and it is killed), reaps it.
  RunResult wait();

 private:
  Process() = default;

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::string stdin_text_;
  std::string command_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point deadline_;
  bool waited_ = false;
};

RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// `sbx ARGS...` (ARGS usually start with "exec").
RunResult run_sbx(const std::vector<std::string>& args, const RunOptions& options = {});
Process start_sbx(const std::vector<std::string>& args, const RunOptions& options = {});

}  // namespace sbx::e2e
