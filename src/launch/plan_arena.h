// Shared memory the sandbox child reads its prelude and plan from. The child is cloned before
// either exists, so that creating its namespaces overlaps with the parent working them out; the
// mapping is MAP_SHARED and made before clone, so it sits at the same address in both and the
// plan's pointers need no relocation.
#pragma once

#include <cstddef>

#include "base/result.h"
#include "launch/child_plan.h"

namespace sbx::launch {

class PlanArena {
 public:
  // Address space only: pages are allocated as the plan is written.
  static constexpr size_t kCapacity = size_t{64} << 20;

  static Result<PlanArena> create();
  PlanArena(PlanArena&& other) noexcept;
  PlanArena& operator=(PlanArena&&) = delete;
  PlanArena(const PlanArena&) = delete;
  PlanArena& operator=(const PlanArena&) = delete;
  ~PlanArena();

  // Where the child finds the published prelude (the arena's first bytes, so also the start of
  // the mapping) and plan.
  const PreludePlan* prelude_slot() const { return static_cast<const PreludePlan*>(base_); }
  const ChildPlan* plan_slot() const;

  // Deep-copy `view` and everything it points to into the arena, at the slot, after whatever
  // was published before. Fail (nothing published) when it does not fit.
  Status publish_prelude(const PreludePlan& view);
  Status publish(const ChildPlan& view);

 private:
  explicit PlanArena(void* base) : base_(base) {}
  void* base_ = nullptr;
  size_t used_ = 0;  // bytes past the two slots taken by what was published so far
};

}  // namespace sbx::launch
