// The child's view (MountList) of a planned list of mount steps. Pinned in memory (not copyable
// or movable) because the view points into the steps it owns.
#pragma once

#include <vector>

#include "launch/child_plan.h"
#include "mounts/plan.h"

namespace sbx::launch {

class MountOpList {
 public:
  explicit MountOpList(std::vector<mounts::MountStep> steps);
  MountOpList(const MountOpList&) = delete;
  MountOpList& operator=(const MountOpList&) = delete;

  MountList view() { return {ops_.data(), ops_.size(), fds_.data()}; }

 private:
  std::vector<mounts::MountStep> steps_;
  std::vector<MountOp> ops_;
  std::vector<int> fds_;
};

}  // namespace sbx::launch
