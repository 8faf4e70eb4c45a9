// The seccomp policy (sbx's default deny-list, optionally changed by a policy file), compiled in the parent into classic BPF that the sandbox child
// installs with the raw seccomp(2) syscall. The child never calls libseccomp: it allocates.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"

namespace sbx::seccomp {

// What a refused syscall gets. Foreign-ABI syscalls (i386 via int 0x80, x32) get the same.
//  kErrno: the call fails with EPERM (the default).
//  kKill:  the whole process dies with SIGSYS (SECCOMP_RET_KILL_PROCESS).
//  kLog:   the call runs and the kernel logs it (audit mode: nothing is enforced).
// clone3 returns ENOSYS in every mode so libc falls back to clone and behaves the same.
enum class DenyAction { kErrno, kKill, kLog };

// The default filter, and what a policy changes in it. Names are checked by the policy loader;
// a name this architecture lacks is skipped (and listed in skipped_syscalls).
struct FilterOptions {
  DenyAction deny_action = DenyAction::kErrno;
  bool allow_network_sockets = false;  // unused for now; the socket family rules apply regardless
  std::vector<std::string> extra_deny = {};     // refused whatever their arguments
  std::vector<std::string> allow = {};          // taken off default_denied_syscalls()
  std::vector<uint64_t> extra_ioctls = {};      // ioctl requests refused besides TIOCSTI and TIOCLINUX
  std::vector<int> extra_socket_families = {};  // refused besides AF_PACKET and AF_VSOCK

  // True when only deny_action may differ from the default: the filter precompiled at build time
  // for that action is then exactly this one.
  bool is_default() const;
};

struct CompiledFilter {
  std::vector<sock_filter> program;
  size_t rule_count = 0;  // seccomp rules added (for reports: "seccomp: default, 110 rules")
  std::string name = "default";
  // Denied syscalls libseccomp cannot name on this architecture; they have no rule.
  std::vector<std::string> skipped_syscalls;

  // Points into `program`: valid while this object lives and `program` is not modified.
  sock_fprog fprog() const;
};

Result<CompiledFilter> compile_filter(const FilterOptions& options);
// The name predates the policy changes in FilterOptions; it compiles the same filter.
inline Result<CompiledFilter> compile_default_filter(const FilterOptions& options) {
  return compile_filter(options);
}

// The filter as libseccomp pseudo filter code, for `explain`-style output and tests.
Result<std::string> filter_pfc(const FilterOptions& options);
inline Result<std::string> default_filter_pfc(const FilterOptions& options) { return filter_pfc(options); }

// Syscalls the default refuses whatever their arguments.
std::vector<std::string> default_denied_syscalls();

// Syscalls the default refuses only for some arguments (namespace flags, socket families,
// terminal-injection ioctls, unsafe personalities), and clone3, which gets ENOSYS.
std::vector<std::string> default_restricted_syscalls();

// True when libseccomp (or sbx's table of newer syscalls) knows `name` on some architecture.
bool syscall_name_known(const std::string& name);

}  // namespace sbx::seccomp
