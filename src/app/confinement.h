// Compiles the kernel-enforced layers (seccomp, Landlock) for a launch plan, honouring each
// layer's required/best-effort setting, and says what was enforced.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "launch/launch_plan.h"
#include "policy/policy.h"

namespace sbx::app {

struct LayerReport {
  std::string layer;   // "seccomp", "landlock"
  bool enforced;
  std::string detail;  // what is enforced, or why it was skipped
  nlohmann::ordered_json facts = nlohmann::ordered_json::object();  // for the verdict's "layers"
  bool requested = true;  // false: nothing asked for this layer (no cgroup limits), so no warning
};

Result<std::vector<LayerReport>> add_confinement(const policy::Policy& policy, launch::LaunchPlan& plan);

}  // namespace sbx::app
