// Flags shared by the front ends (sbx rpc, sbx mcp, sbx serve): admission, message size, where
// run directories go, and the ceilings on what a run may ask for.
#pragma once

#include <string>
#include <vector>

#include "cli/option_parser.h"
#include "rpc/caller_limits.h"
#include "rpc/run_job.h"
#include "rpc/run_manager.h"

namespace sbx::app {

struct ServiceFlags {
  rpc::Admission admission;
  uint64_t max_message = 32u << 20;
  std::string run_dir;  // default: $TMPDIR, else /tmp
  rpc::CallerLimits limits;
  std::vector<std::string> languages;
};

std::vector<cli::OptionSpec> service_specs(ServiceFlags& flags);

// Where workers come from and what they inherit from this process's environment (only what
// cgroup placement needs: the user's runtime directory and session bus).
rpc::RunSettings run_settings(const ServiceFlags& flags);

}  // namespace sbx::app
