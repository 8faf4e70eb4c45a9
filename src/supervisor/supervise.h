// Watches a started sandbox until its init exits: forwards signals, collects the child's
// reports, and turns them into one Outcome.
#pragma once

#include <string>

#include "base/result.h"
#include "launch/spawn.h"
#include "launch/sync.h"
#include "supervisor/signals.h"

namespace sbx::supervisor {

struct Outcome {
  enum class Kind { kExited, kSignaled, kSetupError };
  Kind kind = Kind::kExited;
  int exit_code = 0;  // kExited
  int signal = 0;     // kSignaled
  // kSetupError: what failed inside the sandbox before the program ran.
  launch::Stage stage = launch::Stage::kNone;
  int sys_errno = 0;
  std::string what;
};

Result<Outcome> supervise(launch::Sandbox& sandbox, const ForwardedSignals& signals);

}  // namespace sbx::supervisor
