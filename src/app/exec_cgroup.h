// The memory, pids and cpu limits of a run (--memory, --pids, --cpus): a cgroup v2 run cgroup
// when one can be had; otherwise, when best-effort, the rlimits that come closest; when
// required (the default), a refusal that says how to get a cgroup.
#pragma once

#include <optional>

#include "app/confinement.h"
#include "base/result.h"
#include "cgroup/run_cgroup.h"
#include "policy/policy.h"

namespace sbx::app {

struct CgroupSetup {
  std::optional<cgroup::RunCgroup> run;  // none when no limits were asked for or on fallback
  LayerReport layer;
};

// May add fallback rlimits to `policy` (so call it before the launch plan is built).
Result<CgroupSetup> setup_cgroup_limits(policy::Policy& policy);

}  // namespace sbx::app
