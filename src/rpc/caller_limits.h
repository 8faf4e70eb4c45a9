// What one caller may ask for: the most time, memory, processes, CPU and output per run, how
// many runs at once, which policies and root trees, and whether the host network. Applied to a
// parsed request before anything runs; a refusal names the field and the ceiling.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "rpc/jsonrpc.h"
#include "rpc/run_request.h"

namespace sbx::rpc {

struct CallerLimits {
  std::optional<std::chrono::nanoseconds> max_timeout;  // also the default when a run names none
  std::optional<uint64_t> max_memory;                   // also the default
  std::optional<uint64_t> max_pids;                     // also the default
  std::optional<double> max_cpus;
  std::optional<uint64_t> max_output;                   // per stream; also the default
  size_t max_concurrency = 64;                          // runs in flight (running or queued)
  std::optional<std::vector<std::string>> policies;     // nullopt: any; "default" is the built-in one
  // nullopt: any root tree path (a local caller running as itself); otherwise name -> path.
  std::optional<std::map<std::string, std::string>> rootfs;
  bool allow_host_network = true;
  bool allow_best_effort = true;  // --landlock/--seccomp/--cgroup best-effort
  std::optional<std::string> cgroup;  // forced "required"/"best-effort" for every run
};

// Fills defaults from the ceilings and refuses what exceeds them. The error text names the
// field ("params.limits.memory: ...").
Status apply_caller_limits(RunRequest& request, const CallerLimits& limits);

// The limits as reported by `capabilities` (and documented in the protocol schema).
Json caller_limits_json(const CallerLimits& limits);

std::string format_duration(std::chrono::nanoseconds d);

}  // namespace sbx::rpc
