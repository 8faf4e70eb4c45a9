// Where the program's stdout and stderr go. A stream goes through sbx (a pipe, pumped by the
// supervisor) whenever sbx has to see it: --json captures it, secrets must be redacted, or it
// is not a terminal (so the output limit applies and bytes are counted). A terminal with
// nothing to redact is handed over as-is, so interactive programs keep their tty.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "base/result.h"
#include "policy/policy.h"
#include "supervisor/output_stream.h"

namespace sbx::app {

struct OutputPlumbing {
  // The write ends for the child (-1: the caller's fd stays); closed in the parent once the
  // sandbox has its copies.
  UniqueFd stdout_write;
  UniqueFd stderr_write;
  std::vector<std::unique_ptr<supervisor::OutputStream>> streams;  // stdout first when both
  supervisor::OutputStream* stdout_stream = nullptr;
  supervisor::OutputStream* stderr_stream = nullptr;

  std::vector<supervisor::OutputStream*> stream_list() const;
};

// `redactor` makes one transform per stream; it is only called when the policy has secrets.
Result<OutputPlumbing> plumb_output(const policy::Policy& policy, bool capture,
                                    const std::function<std::unique_ptr<supervisor::StreamTransform>()>& redactor);

}  // namespace sbx::app
