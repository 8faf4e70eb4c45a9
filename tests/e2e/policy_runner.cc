#include "policy_runner.h"

#include <chrono>

#include "base/sha256.h"

namespace sbx::e2e {

std::string policies_dir() { return source_dir() + "/policies"; }

RunResult run_sbx_with_policies(const std::vector<std::string>& args, const std::string& cwd) {
  RunOptions options;
  options.cwd = cwd;
  options.env = {"SBX_POLICY_PATH=" + policies_dir()};
  // Generous: the fork test and the timeout test take seconds; a hang still ends here.
  options.timeout = std::chrono::seconds(60);
  return run_sbx(args, options);
}

std::string sha256_of(const std::string& text) { return sha256_hex(text); }

}  // namespace sbx::e2e
