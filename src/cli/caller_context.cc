#include "cli/caller_context.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace sbx::cli {

CallerContext this_process_caller() {
  CallerContext caller;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) != nullptr) caller.cwd = cwd;
  caller.getenv = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  return caller;
}

}  // namespace sbx::cli
