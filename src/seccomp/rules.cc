#include "seccomp/rules.h"

#include <sched.h>

#include <array>

namespace sbx::seccomp {
namespace {

// One line per group reads better than one name per line.
// clang-format off
constexpr const char* kAlwaysDenied[] = {
    // Kernel code and kernel replacement.
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    // Large kernel attack surface that sandboxed programs do not need.
    "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    // The kernel keyring is not namespaced.
    "add_key", "request_key", "keyctl",
    // Reaching into other processes.
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    // Reshaping the filesystem view the sandbox was built with.
    "mount", "umount2", "pivot_root", "chroot",
    "open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "mount_setattr",
    // Joining other namespaces.
    "setns",
    // File handles bypass path-based checks (the "shocker" container escape).
    "open_by_handle_at", "name_to_handle_at",
    // Host-wide state.
    "swapon", "swapoff", "reboot", "acct", "quotactl", "quotactl_fd", "lookup_dcookie",
    "syslog", "vhangup", "iopl", "ioperm", "uselib", "nfsservctl", "fanotify_init",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname",
};
// clang-format on

// For clone(2) the low byte of the flags is the exit signal (CSIGNAL), so CLONE_NEWTIME (0x80)
// cannot be requested there: the kernel reads it as signal 128. Only unshare and clone3 take
// it, and clone3 is refused whole.
constexpr std::array<NamespaceFlag, 8> kNamespaceFlags = {{
    {"CLONE_NEWNS", CLONE_NEWNS, true},
    {"CLONE_NEWUTS", CLONE_NEWUTS, true},
    {"CLONE_NEWIPC", CLONE_NEWIPC, true},
    {"CLONE_NEWUSER", CLONE_NEWUSER, true},
    {"CLONE_NEWPID", CLONE_NEWPID, true},
    {"CLONE_NEWNET", CLONE_NEWNET, true},
    {"CLONE_NEWCGROUP", CLONE_NEWCGROUP, true},
    {"CLONE_NEWTIME", CLONE_NEWTIME, false},
}};

constexpr uint32_t kPersonalityQuery = 0xffffffff;
constexpr std::array<uint32_t, 5> kAllowedPersonalities = {0x0, 0x0008, 0x20000, 0x20008,
                                                           kPersonalityQuery};

}  // namespace

std::span<const char* const> always_denied_syscall_names() { return kAlwaysDenied; }

std::span<const NamespaceFlag> namespace_flags() { return kNamespaceFlags; }

std::span<const uint32_t> allowed_personalities() { return kAllowedPersonalities; }

// libseccomp allows one comparison per argument in a rule, so "not one of these values" has to
// be a union of single masked comparisons. The allowed values other than the query are exactly
// the subsets of M = 0x20008, so a value is refused iff it has a bit outside M set and is not
// 0xffffffff, i.e. some bit z is clear. The patterns are "bit z clear and bit next(z) set" for
// every bit z, where next() walks the bits outside M in a cycle (and maps the two M bits to the
// first bit outside M):
//  - no allowed value matches: none has a bit outside M set, and the query has no clear bit;
//  - every refused value x matches: if some bit z outside M is clear, follow the cycle from z
//    to the first set bit outside M (x has one); the bit before it is clear and matches. If
//    every bit outside M is set, one of the M bits is clear and its pattern matches.
// 32 rules is also the least possible: 0xffffffff with one bit cleared needs a pattern per bit.
// Masks cover the low 32 bits only because the kernel takes an unsigned int.
std::vector<MaskedValue> personality_deny_patterns() {
  uint32_t keep = 0;
  for (uint32_t value : kAllowedPersonalities) {
    if (value != kPersonalityQuery) keep |= value;
  }
  std::vector<int> outside;  // bits not in `keep`, ascending
  for (int bit = 0; bit < 32; ++bit) {
    if ((keep & (1u << bit)) == 0) outside.push_back(bit);
  }
  std::vector<MaskedValue> patterns;
  patterns.reserve(32);
  for (int bit = 0; bit < 32; ++bit) {
    int next = outside.front();
    for (size_t i = 0; i < outside.size(); ++i) {
      if (outside[i] == bit) next = outside[(i + 1) % outside.size()];
    }
    const uint64_t clear = uint64_t{1} << bit;
    const uint64_t set = uint64_t{1} << next;
    patterns.push_back({clear | set, set});
  }
  return patterns;
}

std::optional<int> unified_syscall_number(std::string_view name) {
  // Since Linux 5.1 every new syscall has one number on all architectures but alpha.
  if (name == "open_tree_attr") return 467;  // Linux 6.15
  return std::nullopt;
}

}  // namespace sbx::seccomp
