// The individual doctor probes. Each probe_* touches the host; each evaluate_*/diagnose_* is a
// pure function of what a probe found, so the verdicts are unit-testable on any machine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "doctor/doctor.h"

namespace sbx::doctor {

// ---- user namespaces (userns_probe.cc, userns_knobs.cc)

struct UsernsKnobs {
  std::optional<int64_t> unprivileged_userns_clone;               // Debian/Ubuntu patch; 1 allows
  std::optional<int64_t> max_user_namespaces;                     // 0 disables for everyone
  std::optional<int64_t> apparmor_restrict_unprivileged_userns;  // Ubuntu 23.10+; 0 allows
  bool apparmor_profile_file = false;  // /etc/apparmor.d/sbx exists (it may still be unloaded)
  // This process's AppArmor label from /proc/self/attr/apparmor/current: "unconfined", or a
  // profile such as "sbx (unconfined)" that may grant `userns,`. Empty when AppArmor is off.
  std::string apparmor_label;
  std::string sbx_path = "/usr/local/bin/sbx";  // the binary an AppArmor profile must attach to
};

struct Diagnosis {
  std::string cause;
  std::string fix;
};

UsernsKnobs read_userns_knobs();
Diagnosis diagnose_userns_failure(int err, const UsernsKnobs& knobs);
std::string explain_userns_failure(int err, const UsernsKnobs& knobs);  // "<cause>; fix: <fix>"
// `privileged`: the caller has CAP_SYS_ADMIN, which the unprivileged-only knobs do not restrict.
Check evaluate_userns_knobs(const UsernsKnobs& knobs, bool privileged);
// The live probe outranks the sysctl reading: when a namespace was really made, a knob row that
// says "missing" (say, an AppArmor profile the label heuristic did not recognise) drops to warn.
Check reconcile_userns_knobs(const Check& probe, Check knobs);
bool caller_has_cap_sys_admin();

Check probe_userns();
Check probe_userns_sysctls();

// ---- Landlock (landlock_probe.cc)

// `ret`/`err`: result of landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION).
Check evaluate_landlock(long ret, int err);
Check probe_landlock();

// ---- seccomp (seccomp_probe.cc)

struct SeccompFacts {
  // 0: a forked child set no_new_privs, installed a filter and saw it deny a call. Otherwise the
  // step that failed: 1 prctl(PR_SET_NO_NEW_PRIVS), 2 seccomp(SET_MODE_FILTER), 3 filter inert.
  int failed_stage = 0;
  int sys_errno = 0;
  std::string probe_error;          // the probe child itself could not run (fork, timeout)
  std::optional<int> own_mode;      // "Seccomp:" of /proc/self/status (2: already filtered)
  std::optional<int> own_filters;   // "Seccomp_filters:"
};

Check evaluate_seccomp(const SeccompFacts& facts);
Check probe_seccomp();

// ---- cgroup v2 (cgroup_probe.cc)

struct CgroupFacts {
  unsigned uid = 0;                         // the caller, named when nothing is delegated to it
  std::string mount;                        // cgroup2 mount point; empty when none was found
  std::string own_path;                     // from "0::<path>" in /proc/self/cgroup
  bool writable = false;                    // own directory and its cgroup.procs are writable
  std::vector<std::string> controllers;     // own cgroup.controllers
  std::vector<std::string> subtree_control; // own cgroup.subtree_control
  std::vector<std::string> v1_controllers;  // controllers bound to v1 hierarchies
};

// Controllers bound to v1 hierarchies, from /proc/self/cgroup ("4:memory:/..." lines; named
// hierarchies such as "name=systemd" hold no controller and are left out).
std::vector<std::string> v1_controllers_of(std::string_view proc_self_cgroup);
Check evaluate_cgroup2(const CgroupFacts& facts);
Check probe_cgroup2();

// ---- kernel version and syscalls (kernel_probe.cc)

struct KernelVersion {
  int major = 0;
  int minor = 0;
};
std::optional<KernelVersion> parse_kernel_release(std::string_view release);
Check evaluate_kernel_release(std::string_view release);
Check probe_kernel_version();

struct SyscallTry {
  long ret = 0;
  int err = 0;  // errno when ret < 0
};
struct SyscallSpec {
  const char* name;   // "clone3"
  const char* since;  // "5.3"
  // The probe passes deliberately invalid arguments, so a present syscall fails with one of
  // these (0 = unused slot): EINVAL usually, EPERM where the kernel checks privilege first.
  int expected[2];
  SyscallTry (*attempt)();  // makes the invalid call; nullptr in unit tests
};
// The syscalls sbx exec relies on, in the order doctor reports them.
const std::vector<SyscallSpec>& needed_syscalls();
Check evaluate_syscall(const SyscallSpec& spec, SyscallTry result);
std::vector<Check> probe_syscalls();

// ---- informational knobs (info_probe.cc)

Check evaluate_unprivileged_bpf(std::optional<int64_t> value);
Check evaluate_legacy_tiocsti(std::optional<int64_t> value);
Check probe_unprivileged_bpf();
Check probe_legacy_tiocsti();

// ---- shared wording

// "EPERM (Operation not permitted)"
std::string errno_label(int err);

}  // namespace sbx::doctor
