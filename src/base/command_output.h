// Runs a helper program (getent, busctl) and collects what it prints. sbx is linked statically,
// so the host's NSS modules and libsystemd cannot be loaded into it; their command-line front
// ends answer the same questions.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"

namespace sbx {

struct CommandOutput {
  int exit_code = 0;  // 128+N when killed by signal N
  std::string out;    // at most kCommandOutputLimit bytes each
  std::string err;
};

inline constexpr size_t kCommandOutputLimit = 64 * 1024;

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null, in its own process group.
// A command still running after `limit` is killed with its group and reaped; that is an error.
// Fails when argv[0] cannot be run at all.
Result<CommandOutput> run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

}  // namespace sbx
