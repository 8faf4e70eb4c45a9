// `sbx exec` flags -> a validated policy::Policy. Every error names the flag and how to fix it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/policy.h"

namespace sbx::cli {

// What flag parsing needs to know about the caller. A seam so tests need no real environment.
struct CallerContext {
  std::string cwd;  // canonical current directory
  std::function<std::optional<std::string>(std::string_view)> getenv;
};

struct ExecRequest {
  policy::Policy policy;
  int verbosity = 0;  // --verbose given after "exec"
  // The verdict: --json prints it as the only thing on stdout (the program's output captured
  // inside it); --report-fd / --report write it while the output streams normally.
  bool json = false;
  std::optional<int> report_fd;
  std::string report_file;
  std::string remote;  // --remote SOCKET: an `sbx serve` service does the run
};

Result<ExecRequest> parse_exec(std::span<const std::string> args, const CallerContext& caller);

std::string exec_help();

}  // namespace sbx::cli
