// Raw Landlock syscalls. Header-only and allocation-free: the sandbox child calls add_rule and
// restrict_self between clone and execve. They return -1 with errno set, like the libc wrappers
// glibc does not provide.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include "landlock/uapi.h"

namespace sbx::landlock {

// The kernel accepts an attr larger than it knows as long as the unknown tail is zero, so
// passing sizeof(RulesetAttr) works on every ABI when the newer fields are left at 0.
// The returned fd is always O_CLOEXEC (the kernel sets it).
inline int create_ruleset(const RulesetAttr* attr, size_t size, uint32_t flags) noexcept {
  return static_cast<int>(::syscall(__NR_landlock_create_ruleset, attr, size, flags));
}

inline int add_rule(int ruleset_fd, int rule_type, const void* rule_attr, uint32_t flags) noexcept {
  return static_cast<int>(
      ::syscall(__NR_landlock_add_rule, ruleset_fd, rule_type, rule_attr, flags));
}

inline int add_path_beneath_rule(int ruleset_fd, const PathBeneathAttr& attr) noexcept {
  return add_rule(ruleset_fd, kRulePathBeneath, &attr, 0);
}

inline int add_net_port_rule(int ruleset_fd, const NetPortAttr& attr) noexcept {
  return add_rule(ruleset_fd, kRuleNetPort, &attr, 0);
}

// Needs no_new_privs (or CAP_SYS_ADMIN in the caller's user namespace).
inline int restrict_self(int ruleset_fd, uint32_t flags) noexcept {
  return static_cast<int>(::syscall(__NR_landlock_restrict_self, ruleset_fd, flags));
}

}  // namespace sbx::landlock
