// Starts the sandbox child on a CPU of its own.
//
// The scheduler tends to queue a freshly cloned child on its parent's CPU, where it waits until
// the parent blocks: the child's namespace creation and the parent's planning, meant to overlap
// (spawn.h), then run one after the other while another CPU idles. Measured on a 2-CPU host,
// the child started about 0.5 ms late on every run. So the parent restricts the child to the
// caller's other CPUs right after clone3, and the child widens its affinity back to exactly the
// caller's before anything of the program runs: the program sees the CPUs it would have seen.
#pragma once

#include <sched.h>
#include <sys/types.h>

namespace sbx::launch {

class CpuSpread {
 public:
  // The caller's affinity, read before clone3. Inactive when there is no other CPU to use (or
  // the mask does not fit a cpu_set_t, on hosts with more than CPU_SETSIZE CPUs).
  static CpuSpread of_caller() noexcept;

  bool active() const noexcept { return active_; }

  // Parent, after clone3: lets `child` run anywhere the caller may except this CPU. Best effort:
  // a child that stays here only starts later.
  void move_off_this_cpu(pid_t child) const noexcept;

  // Child, before the program starts: the caller's affinity again. Returns 0, or -1 with errno.
  // Async-signal-safe.
  int restore() const noexcept;

 private:
  cpu_set_t caller_{};
  bool active_ = false;
};

}  // namespace sbx::launch
