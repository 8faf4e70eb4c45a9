// Running sbx with the source tree's shipped policies first in its search path, so the tests
// see exactly the files under test (tests/run stages them for the run as nobody).
#pragma once

#include <string>
#include <vector>

#include "host.h"
#include "sbx_runner.h"

namespace sbx::e2e {

// SBX_SOURCE_DIR/policies.
std::string policies_dir();

// `sbx ARGS...` started in `cwd`, with SBX_POLICY_PATH=policies_dir().
RunResult run_sbx_with_policies(const std::vector<std::string>& args, const std::string& cwd = "/tmp");

// The hex sha256 of `text`, for comparing with the verdict's policy hash.
std::string sha256_of(const std::string& text);

}  // namespace sbx::e2e
