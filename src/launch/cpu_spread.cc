#include "launch/cpu_spread.h"

namespace sbx::launch {

CpuSpread CpuSpread::of_caller() noexcept {
  CpuSpread s;
  if (::sched_getaffinity(0, sizeof(s.caller_), &s.caller_) != 0) return s;
  s.active_ = CPU_COUNT(&s.caller_) > 1;
  return s;
}

void CpuSpread::move_off_this_cpu(pid_t child) const noexcept {
  if (!active_) return;
  const int here = ::sched_getcpu();
  if (here < 0 || here >= CPU_SETSIZE) return;
  cpu_set_t elsewhere = caller_;
  CPU_CLR(here, &elsewhere);
  if (CPU_COUNT(&elsewhere) == 0) return;
  ::sched_setaffinity(child, sizeof(elsewhere), &elsewhere);
}

int CpuSpread::restore() const noexcept {
  if (!active_) return 0;
  return ::sched_setaffinity(0, sizeof(caller_), &caller_);
}

}  // namespace sbx::launch
