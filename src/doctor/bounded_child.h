// Runs a tiny probe in a forked child and always reaps it within a time limit.
#pragma once

#include <chrono>

#include "base/result.h"

namespace sbx::doctor {

// What the child reports back. stage 0: every step succeeded; otherwise the 1-based step that
// failed and the errno it failed with.
struct ChildOutcome {
  int stage = 0;
  int sys_errno = 0;
};

// The body runs in a fork of a possibly multi-threaded process, so it may only make
// async-signal-safe calls (no allocation, no logging, no locks). `arg` is prepared by the parent.
using ChildBody = ChildOutcome (*)(const void* arg) noexcept;

// Forks, runs body(arg) in the child and reaps it. A child still running after `limit` is killed
// with SIGKILL and reaped, and an error is returned; no zombie or fd outlives the call.
Result<ChildOutcome> run_bounded_child(ChildBody body, const void* arg,
                                       std::chrono::milliseconds limit);

}  // namespace sbx::doctor
