// Writes the JSON verdict where `sbx exec` was asked to: stdout (--json), a descriptor
// (--report-fd) and a file (--report).
#pragma once

#include <csignal>

#include "base/result.h"
#include "cli/exec_options.h"
#include "supervisor/verdict.h"

namespace sbx::app {

// Every place asked for gets the verdict even when another fails; the first failure is returned.
Status write_verdict(const supervisor::Verdict& verdict, const cli::ExecRequest& request);

// The same for a verdict already made into one line of JSON (ending in a newline), as
// `sbx exec --remote` has it from the service.
Status write_verdict_line(std::string_view line, const cli::ExecRequest& request);

// A verdict that could not be written because its reader is gone (EPIPE: `sbx exec --json ... |
// true`) ends sbx as SIGPIPE ends any program whose reader left: status 141, nothing to say. It is
// not a failure of sbx's own (125).
inline constexpr int kExitReaderGone = 128 + SIGPIPE;
bool reader_gone(const Error& error);

}  // namespace sbx::app
