// Policy -> the ordered list of mount operations that builds the sandbox's root, and the
// Landlock paths that match it. Pure: the host is only consulted through a HostView.
#pragma once

#include <cstdint>
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
};

Result<MountPlan> plan_mounts(const policy::Policy& policy, const rootfs::HostView& host);

// Size of the tmpfs that becomes the sandbox root; it only holds mount points and symlinks.
inline constexpr const char* kRootTmpfsOptions = "size=8m,nr_inodes=8192,mode=0755";

}  // namespace sbx::mounts
