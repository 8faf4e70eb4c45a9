// Turns the outcome of a run into what the caller sees: the exit status, the one-line account
// on stderr of an abnormal end, and the JSON verdict.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/confinement.h"
#include "app/exec_output.h"
#include "cgroup/run_cgroup.h"
#include "policy/policy.h"
#include "supervisor/supervise.h"
#include "supervisor/verdict.h"

namespace sbx::app {

// 124 on timeout, the program's status, 128+N for signal N, 125/126/127 for setup failures.
int exit_status(const supervisor::Outcome& outcome);

// "exec: foo: command not found in the sandbox", "mounts: /data: ... (hint)"; for setup errors.
std::string setup_error_message(const supervisor::Outcome& outcome);

// One line on stderr when the run did not end by itself ("sbx: killed: wall-clock timeout 10s
// exceeded") or a stream was truncated, unless `quiet`. Setup errors are the caller's to log.
void log_run_end(const supervisor::Outcome& outcome, const policy::Policy& policy, const OutputPlumbing& output,
                 bool quiet);

// What a shell would print for a program that died of `signal` ("sbx: killed by SIGSEGV
// (Segmentation fault)"), naming the rlimit behind SIGXCPU and SIGXFSZ when the policy set one,
// and the seccomp filter behind SIGSYS when the policy's denials kill;
// empty for SIGINT and SIGPIPE, which shells leave unsaid. sbx ends with 128+N rather than by
// the signal, so the caller's shell cannot say it.
std::string signal_end_message(int signal, const policy::Policy& policy);

struct VerdictInputs {
  const policy::Policy& policy;
  const supervisor::Outcome& outcome;
  const OutputPlumbing& output;
  const std::vector<LayerReport>& layers;
  const std::optional<cgroup::Stats>& cgroup_stats;
  std::string id;
  std::string policy_sha256;  // of the effective policy, before it was resolved for this caller
  // Removes every secret from a string sbx itself writes into the verdict (argv, errors).
  std::function<std::string(const std::string&)> redact;
};

supervisor::Verdict build_verdict(const VerdictInputs& in);

}  // namespace sbx::app
