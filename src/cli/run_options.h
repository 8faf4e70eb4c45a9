// `sbx exec` flags that bound and report a run from outside the sandbox: time, output, secrets
// and the verdict. Kept apart from the sandbox-shape flags in exec_options.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/exec_options.h"
#include "cli/option_parser.h"
#include "redact/redact.h"

namespace sbx::cli {

// Raw values as given; finish_run_flags validates them into the policy and request.
struct RunFlags {
  std::vector<std::string> secrets;       // --secret NAME
  std::vector<std::string> secret_files;  // --secret-file FILE
  std::vector<std::string> redact;        // --redact VALUE
  std::optional<std::string> cpu_time;    // --cpu-time DURATION
};

// The option table entries; they write into `flags`, `policy` and `request`.
std::vector<OptionSpec> run_specs(RunFlags& flags, policy::Policy& policy, ExecRequest& request);

// Secrets need the caller's environment and files; --cpu-time becomes RLIMIT_CPU.
Status finish_run_flags(const RunFlags& flags, policy::Policy& policy, const CallerContext& caller);

// --report FILE is written once the run is over; one that cannot be written then would cost the
// run its verdict and its exit status (125). So before anything runs: FILE is not a directory,
// and the directory it goes in can be written.
Status check_report_file(const std::string& file, const CallerContext& caller);

// Shortest secret accepted: shorter values would redact innocent output everywhere.
using redact::kMinSecretBytes;

}  // namespace sbx::cli
