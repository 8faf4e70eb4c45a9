// Watches a started sandbox until it is empty (init reports) or its init exits: forwards signals, pumps the program's output,
// enforces the wall-clock timeout and output limits, collects the child's reports, and turns
// all of it into one Outcome.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "launch/spawn.h"
#include "launch/sync.h"
#include "supervisor/output_stream.h"
#include "supervisor/signals.h"

namespace sbx::supervisor {

struct SuperviseOptions {
  std::chrono::steady_clock::time_point start;  // when the sandbox was started, for duration
  std::optional<std::chrono::nanoseconds> timeout;
  std::chrono::nanoseconds kill_after = std::chrono::seconds(5);
  bool kill_on_output_limit = false;
  // Wait for the sandbox's init to exit even after it reported the sandbox empty: needed when
  // something must see the namespaces gone (a run cgroup to read and remove). Otherwise the
  // run ends at the report and init's teardown overlaps whatever the caller does next.
  bool wait_for_teardown = false;
  // Once the run has lasted this long, unmap the code pages start-up touched (ImagePages): the
  // loop needs few of them for the rest of a long run.
  std::optional<std::chrono::milliseconds> release_startup_pages_after;
};

struct Outcome {
  enum class Kind { kExited, kSignaled, kSetupError };
  Kind kind = Kind::kExited;
  int exit_code = 0;  // kExited
  int signal = 0;     // kSignaled
  // kSetupError: what failed inside the sandbox before the program ran.
  launch::Stage stage = launch::Stage::kNone;
  int sys_errno = 0;
  std::string what;

  bool timed_out = false;     // the wall-clock timeout expired (whatever happened after)
  bool killed_at_timeout = false;  // ... and the grace ran out, so everything was SIGKILLed
  std::string output_limit_stream;  // "stdout"/"stderr" when the run was killed at the limit
  bool oom_killed = false;  // the run cgroup's OOM killer ended it (filled in by the caller)

  std::chrono::nanoseconds duration{};
  // CPU time and peak RSS of everything that ran in the sandbox (init's report, or
  // RUSAGE_CHILDREN after reaping init when it never reported).
  rusage usage{};
};

// `streams` are pumped while the sandbox runs and drained after; they may be empty when the
// program writes to the caller's descriptors directly.
Result<Outcome> supervise(launch::Sandbox& sandbox, const ForwardedSignals& signals,
                          std::span<OutputStream* const> streams, const SuperviseOptions& options);

}  // namespace sbx::supervisor
