#include "launch/launch_plan.h"

#include "policy/network_mode.h"
#include "rlimits/names.h"

namespace sbx::launch {

LaunchPlan::LaunchPlan(const policy::Policy& p, mounts::MountPlan rest,
                       const std::vector<mounts::LandlockPath>& prelude_landlock_paths, int last_cap)
    : mounts_(std::move(rest.steps)),
      landlock_paths_(prelude_landlock_paths),
      hostname_(p.hostname),
      workdir_(p.workdir),
      unshare_network_(policy::has_own_network(p.network)),
      last_cap_(last_cap) {
  landlock_paths_.insert(landlock_paths_.end(), rest.landlock_paths.begin(), rest.landlock_paths.end());
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
}

void LaunchPlan::set_seccomp(std::vector<sock_filter> program) { seccomp_ = std::move(program); }

void LaunchPlan::set_landlock(landlock::RulesetPlan ruleset) { landlock_.emplace(std::move(ruleset)); }

const ChildPlan& LaunchPlan::child_plan() {
  child_ = ChildPlan{};
  child_.report_fd = -1;  // the child has its own end of the report socket (ChildStart)
  child_.stdout_fd = stdout_fd_;
  child_.stderr_fd = stderr_fd_;
  child_.mounts = mounts_.view();
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
  return child_;
}

}  // namespace sbx::launch
