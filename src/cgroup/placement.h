// Finds a cgroup directory under which sbx may create one cgroup per run, without root:
//  1. --cgroup-parent PATH, explicitly;
//  2. the cgroup sbx runs in, when it is delegated to the caller: sbx moves itself into a leaf
//     (no process may live in a cgroup whose children have controllers) and runs go beside it;
//  3. a transient systemd scope with Delegate=yes, then as in 2.
// Run cgroups of a sbx that was SIGKILLed, and leaves of exited ones, are removed on the way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace sbx::cgroup {

struct Placement {
  std::string parent;  // absolute directory; the needed controllers are enabled for its children
  std::string how;     // "--cgroup-parent", "delegated cgroup", "systemd scope sbx-123.scope"
};

// `controllers`: e.g. {"memory", "pids", "cpu"}. Errors list what was tried and why each failed.
Result<Placement> find_placement(const std::optional<std::string>& explicit_parent,
                                 const std::vector<std::string>& controllers);

// For a long-lived service (sbx serve, rpc, mcp) whose workers all start in its own cgroup:
// when that cgroup is delegated (systemd Delegate=), the service moves itself into a leaf and
// enables the memory, pids and cpu controllers it offers for the cgroup's children, so each
// worker can be given it as --cgroup-parent. Without this the first worker's take-over would
// find the service still in the cgroup (EBUSY). Returns the cgroup, or nothing when it is not
// delegated (workers then look for a placement themselves).
Result<std::optional<std::string>> adopt_own_cgroup_for_runs();

// Removes stale sbx cgroups under `parent` whose owning sbx is gone: kills what is still in
// them, then rmdir. Names carry the owner's pid: "sbx.leaf.<pid>", "sbx.run.<pid>.<n>".
void remove_stale_cgroups(const std::string& parent);

}  // namespace sbx::cgroup
