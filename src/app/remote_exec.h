// `sbx exec --remote SOCKET ...`: the same run, done by an `sbx serve` service. Output streams
// back as it is produced and the exit status is the one `sbx exec` would have given.
#pragma once

#include <string>
#include <vector>

#include "app/app.h"
#include "base/result.h"
#include "cli/exec_options.h"
#include "rpc/jsonrpc.h"

namespace sbx::app {

int run_remote_exec(const cli::ExecRequest& request, const GlobalOptions& global);

// The run request's params for a parsed `sbx exec` command line. Refuses what a service
// cannot do for a remote caller (host paths: -v, --cgroup-parent, the caller's directory as
// the workspace: --rw, --no-workspace; --redact, whose value would end up on the service's
// command lines). Pure.
Result<rpc::Json> remote_run_params(const cli::ExecRequest& request);

// The operands of `argv` that name a file or directory in the current directory (relative paths,
// and the command itself only when it has a slash): the service will not see them.
std::vector<std::string> local_files_named(const std::vector<std::string>& argv);

}  // namespace sbx::app
