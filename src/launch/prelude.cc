#include "launch/prelude.h"

namespace sbx::launch {

Prelude::Prelude(const policy::Policy& p, mounts::MountPlan prelude, std::optional<std::string> staging_dir,
                 bool running_as_root)
    : mounts_(std::move(prelude.steps)),
      landlock_paths_(std::move(prelude.landlock_paths)),
      staging_dir_(staging_dir.value_or("/tmp")),
      build_now_(staging_dir.has_value()),
      // Root on the host can clear supplementary groups (it holds CAP_SETGID over the new
      // namespace); an ordinary user must write "deny" to setgroups first and keep them.
      identity_{p.uid, p.gid, running_as_root} {}

PreludePlan Prelude::view() {
  PreludePlan plan{};
  plan.identity = identity_;
  plan.mounts = mounts_.view();
  plan.staging_dir = staging_dir_.c_str();
  plan.root_tmpfs_options = mounts::kRootTmpfsOptions;
  plan.build_now = build_now_;
  return plan;
}

}  // namespace sbx::launch
