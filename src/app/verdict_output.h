// Writes the JSON verdict where `sbx exec` was asked to: stdout (--json), a descriptor
// (--report-fd) and a file (--report).
#pragma once

#include "base/result.h"
#include "cli/exec_options.h"
#include "supervisor/verdict.h"

namespace sbx::app {

Status write_verdict(const supervisor::Verdict& verdict, const cli::ExecRequest& request);

// The same for a verdict already made into one line of JSON (ending in a newline), as
// `sbx exec --remote` has it from the service.
Status write_verdict_line(std::string_view line, const cli::ExecRequest& request);

}  // namespace sbx::app
