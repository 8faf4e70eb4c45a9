// Shared memory the sandbox child reads its plan from. The child is cloned before the plan
// exists, so that creating its namespaces overlaps with the parent working the plan out; the
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

  // Where the child finds the published plan (the arena's first bytes).
  const ChildPlan* plan_slot() const { return static_cast<const ChildPlan*>(base_); }

  // Deep-copies `view` and everything it points to into the arena, at plan_slot(). Fails
  // (nothing published) when it does not fit.
  Status publish(const ChildPlan& view);

 private:
  explicit PlanArena(void* base) : base_(base) {}
  void* base_ = nullptr;
};

}  // namespace sbx::launch
