// What flag parsing needs to know about the caller: a seam, so tests need no real environment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sbx::cli {

struct CallerContext {
  std::string cwd;  // canonical current directory
  std::function<std::optional<std::string>(std::string_view)> getenv;
};

// This process's own working directory and environment, as `sbx exec` and `sbx policy show`
// see their caller.
CallerContext this_process_caller();

}  // namespace sbx::cli
