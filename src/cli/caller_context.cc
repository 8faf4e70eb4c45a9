#include "cli/caller_context.h"

#include <unistd.h>

#include <climits>

#include "base/process_env.h"

namespace sbx::cli {

CallerContext this_process_caller() {
  CallerContext caller;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) != nullptr) caller.cwd = cwd;
  caller.getenv = process_env;
  return caller;
}

}  // namespace sbx::cli
