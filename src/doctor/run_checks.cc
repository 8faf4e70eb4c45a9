// The fixed order of the doctor's checks: what sbx exec cannot do without first, then the
// optional cgroup layer, the syscalls, and the informational host knobs.
#include "doctor/doctor.h"
#include "doctor/probes.h"

namespace sbx::doctor {

Report run_checks() {
  Report r;
  r.checks.push_back(probe_kernel_version());
  const Check userns = probe_userns();
  r.checks.push_back(userns);
  r.checks.push_back(reconcile_userns_knobs(userns, probe_userns_sysctls()));
  r.checks.push_back(probe_landlock());
  r.checks.push_back(probe_seccomp());
  r.checks.push_back(probe_cgroup2());
  for (Check& c : probe_syscalls()) r.checks.push_back(std::move(c));
  r.checks.push_back(probe_unprivileged_bpf());
  r.checks.push_back(probe_legacy_tiocsti());
  return r;
}

}  // namespace sbx::doctor
