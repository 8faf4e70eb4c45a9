// Owns the prelude the sandbox child starts on (PreludePlan): its identity and the part of the
// root that needs next to nothing of the host (mounts::plan_prelude). Pinned in memory because the view points into it.
#pragma once

#include <optional>
#include <string>

#include "launch/child_plan.h"
#include "launch/mount_op_list.h"
#include "mounts/plan.h"
#include "policy/policy.h"

namespace sbx::launch {

class Prelude {
 public:
  // `staging_dir`: mounts::early_staging_dir; nullopt builds the root on /tmp once the rest of
  // the plan is there.
  Prelude(const policy::Policy& policy, mounts::MountPlan prelude, std::optional<std::string> staging_dir,
          bool running_as_root);
  Prelude(const Prelude&) = delete;
  Prelude& operator=(const Prelude&) = delete;

  // The view for the child; valid while this object lives.
  PreludePlan view();
  // Landlock paths the prelude's mounts need; the rest's plan adds them to its own.
  const std::vector<mounts::LandlockPath>& landlock_paths() const { return landlock_paths_; }

 private:
  MountOpList mounts_;
  std::vector<mounts::LandlockPath> landlock_paths_;
  std::string staging_dir_;
  bool build_now_;
  IdentityPlan identity_{};
};

}  // namespace sbx::launch
