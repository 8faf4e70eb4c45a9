// Owns everything the sandbox child reads and hands out the POD view of it, which
// PendingSandbox::release publishes into the child's plan arena. Pinned in memory (not copyable
// or movable) because the view points into it.
#pragma once

#include <linux/filter.h>

#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "landlock/ruleset.h"
#include "launch/child_plan.h"
#include "launch/mount_op_list.h"
#include "mounts/plan.h"
#include "policy/policy.h"

namespace sbx::launch {

class LaunchPlan {
 public:
  // `rest`: mounts::plan_rest; `prelude_landlock_paths`: what the prelude's mounts need
  // (Prelude::landlock_paths), so that the Landlock ruleset covers the whole root.
  LaunchPlan(const policy::Policy& policy, mounts::MountPlan rest,
             const std::vector<mounts::LandlockPath>& prelude_landlock_paths, int last_cap);
  LaunchPlan(const LaunchPlan&) = delete;
  LaunchPlan& operator=(const LaunchPlan&) = delete;

  void set_seccomp(std::vector<sock_filter> program);
  void set_landlock(landlock::RulesetPlan ruleset);

  // The view for the child; valid while this object lives.
  const ChildPlan& child_plan();
  // Pipes the program's stdout/stderr go to; -1 leaves the caller's descriptor in place.
  void set_output_fds(int stdout_fd, int stderr_fd) {
    stdout_fd_ = stdout_fd;
    stderr_fd_ = stderr_fd;
  }

  bool unshare_network() const { return unshare_network_; }
  // Every path the root's mounts (prelude and rest) need Landlock access to.
  const std::vector<mounts::LandlockPath>& landlock_paths() const { return landlock_paths_; }

 private:
  MountOpList mounts_;
  std::vector<mounts::LandlockPath> landlock_paths_;
  std::vector<std::string> argv_storage_;
  std::vector<std::string> env_storage_;
  std::vector<const char*> argv_;
  std::vector<const char*> envp_;
  std::vector<RlimitSetting> rlimits_;
  std::vector<sock_filter> seccomp_;
  std::optional<landlock::RulesetPlan> landlock_;
  std::string hostname_;
  std::string workdir_;
  std::string path_env_;
  bool unshare_network_ = true;
  int last_cap_ = 0;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  ChildPlan child_{};
};

}  // namespace sbx::launch
