// Run directories left behind by front ends that were killed outright.
//
// sbx serve, rpc and mcp remove their run directories themselves, but a SIGKILL (an agent
// killing its subprocess, the OOM killer) leaves them in the run root with whatever the
// sandbox wrote there. Each live one is flock'ed by its owner (rpc/run_directory.h), so a
// directory nobody holds the lock of has no owner any more, and the next front end that uses
// the same root removes it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sbx::rpc {

struct SweepResult {
  size_t removed = 0;
  std::vector<std::string> failures;  // one line each: what could not be removed, and why
};

// Removes every directory in `root` named like a run directory, owned by this process's
// effective uid, not locked, and last modified more than `min_age` ago. The age covers the
// moment between a directory's creation and its owner's flock. Symbolic links, other users'
// directories and anything else are left alone.
SweepResult remove_abandoned_run_directories(const std::string& root, std::chrono::seconds min_age);

}  // namespace sbx::rpc
