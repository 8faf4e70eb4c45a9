// Policy -> the ordered list of mount operations that builds the sandbox's root, and the
// Landlock paths that match it. Pure: the host is only consulted through a HostView.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "launch/child_plan.h"
#include "policy/policy.h"
#include "rootfs/host_view.h"

namespace sbx::mounts {

struct MountStep {
  launch::MountOpKind kind;
  std::string source;
  std::string target;
  std::string data;
  uint32_t mode = 0;
  bool read_only = false;
  bool target_is_dir = true;
  bool optional = false;
  bool source_untrusted = false;
  bool allow_devices = false;
};

// Landlock access classes the view needs; the landlock module maps them to rights.
enum class PathAccess { kReadExec, kReadWrite, kDevices };

struct LandlockPath {
  std::string path;
  PathAccess access;
};

struct MountPlan {
  std::vector<MountStep> steps;
  std::vector<LandlockPath> landlock_paths;
  // What the sandbox lacks because of its root, for the -v log ("the tree's /etc has no ...").
  std::vector<std::string> notes;
};

// The root is planned in two parts, so that the sandbox child can build the first while the
// parent still inspects the host for the second (launch/prelude.h):
// - the prelude: /proc, /dev, /tmp and the generated /etc files. It reads no host file but, with
//   the host's network, /etc/resolv.conf; of the rest of the host it only checks which /proc
//   files exist and who may read them (to know which to mask);
// - the rest mirrors the host's system directories and /etc (or the tree's top level, with the
//   generated /etc files bound over the tree's, and then /tmp), adds the workspace and the
//   caller's mounts, and ends by making the root read-only.
// The two touch different paths, except that the rest may mount inside the prelude's (a bind
// under /tmp), so the prelude goes first.
MountPlan plan_prelude(const policy::Policy& policy, const rootfs::HostView& host);
Result<MountPlan> plan_rest(const policy::Policy& policy, const rootfs::HostView& host);
// Both, in the order the child applies them.
Result<MountPlan> plan_mounts(const policy::Policy& policy, const rootfs::HostView& host);

// A top-level host directory the child may build the root on before the rest of the plan exists:
// none of the rest's bind sources lies in it or above it, so covering it cannot hide one (they
// are cloned only later). nullopt when every candidate is taken; then the child clones the
// sources first and builds everything once the whole plan is there.
std::optional<std::string> early_staging_dir(const policy::Policy& policy, const rootfs::HostView& host);

// Size of the tmpfs that becomes the sandbox root; it only holds mount points and symlinks.
inline constexpr const char* kRootTmpfsOptions = "size=8m,nr_inodes=8192,mode=0755";

}  // namespace sbx::mounts
