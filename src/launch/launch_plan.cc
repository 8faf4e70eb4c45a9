#include "launch/launch_plan.h"

#include "rlimits/names.h"

namespace sbx::launch {

LaunchPlan::LaunchPlan(const policy::Policy& p, mounts::MountPlan mounts, int last_cap, bool running_as_root)
    : mounts_(std::move(mounts)),
      hostname_(p.hostname),
      workdir_(p.workdir),
      unshare_network_(p.network == policy::NetworkMode::kNone),
      last_cap_(last_cap) {
  for (const auto& step : mounts_.steps) {
    MountOp op{};
    op.kind = step.kind;
    op.source = step.source.c_str();
    op.target = step.target.c_str();
    op.data = step.data.c_str();
    op.data_len = step.data.size();
    op.mode = step.mode;
    op.read_only = step.read_only;
    op.target_is_dir = step.target_is_dir;
    op.optional = step.optional;
    op.source_untrusted = step.source_untrusted;
    op.allow_devices = step.allow_devices;
    mount_ops_.push_back(op);
  }
  mount_fds_.assign(mount_ops_.size(), -1);

  argv_storage_ = p.argv;
  for (const auto& var : p.env) {
    env_storage_.push_back(var.name + "=" + var.value);
    if (var.name == "PATH") path_env_ = var.value;
  }
  for (const auto& s : argv_storage_) argv_.push_back(s.c_str());
  argv_.push_back(nullptr);
  for (const auto& s : env_storage_) envp_.push_back(s.c_str());
  envp_.push_back(nullptr);
  if (path_env_.empty()) path_env_ = "/usr/local/bin:/usr/bin:/bin";

  for (const auto& r : p.rlimits) {
    rlimits_.push_back({rlimits::resource_name(r.resource), r.resource, r.soft, r.hard});
  }
  // Root on the host can clear supplementary groups (it holds CAP_SETGID over the new
  // namespace); an ordinary user must write "deny" to setgroups first and keep them.
  identity_ = {p.uid, p.gid, running_as_root};
}

void LaunchPlan::set_seccomp(std::vector<sock_filter> program) { seccomp_ = std::move(program); }

void LaunchPlan::set_landlock(landlock::RulesetPlan ruleset) { landlock_.emplace(std::move(ruleset)); }

const ChildPlan& LaunchPlan::child_plan() {
  child_ = ChildPlan{};
  child_.report_fd = -1;  // the child has its own end of the report socket (ChildStart)
  child_.stdout_fd = stdout_fd_;
  child_.stderr_fd = stderr_fd_;
  child_.identity = identity_;
  child_.mounts = mount_ops_.data();
  child_.mount_count = mount_ops_.size();
  child_.mount_fds = mount_fds_.data();
  child_.hostname = hostname_.c_str();
  child_.rlimits = rlimits_.data();
  child_.rlimit_count = rlimits_.size();
  child_.last_cap = last_cap_;
  child_.landlock = landlock_ ? landlock_->view() : LandlockPlan{-1, nullptr, 0};
  child_.seccomp.len = static_cast<unsigned short>(seccomp_.size());
  child_.seccomp.filter = seccomp_.data();
  child_.workdir = workdir_.c_str();
  child_.argv = argv_.data();
  child_.envp = envp_.data();
  child_.path_env = path_env_.c_str();
  child_.staging_dir = "/tmp";
  child_.root_tmpfs_options = mounts::kRootTmpfsOptions;
  return child_;
}

}  // namespace sbx::launch
