// Landlock kernel ABI up to version 7. Debian 12's linux-libc-dev (6.1) stops at ABI 2, so the
// newer constants are defined here when the installed headers lack them. <linux/landlock.h> is
// included first so a newer header always wins and no macro is ever redefined differently.
#pragma once

#include <linux/landlock.h>
#include <sys/syscall.h>

#include <cstdint>

// New syscalls share one number on every architecture but alpha since Linux 5.x.
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)  // ABI 3
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)  // ABI 5
#endif

#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)  // ABI 4
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)  // ABI 4
#endif

#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)  // ABI 6
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)  // ABI 6
#endif

namespace sbx::landlock {

// Own names for the structs: the installed header's landlock_ruleset_attr has only the ABI 1
// field, and a newer header would clash with a redefinition.
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};
static_assert(sizeof(RulesetAttr) == 24);

// Packed like the kernel's: the kernel checks the exact size, trailing padding would not match.
struct [[gnu::packed]] PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};
static_assert(sizeof(PathBeneathAttr) == 12);

struct [[gnu::packed]] NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;  // host byte order
};
static_assert(sizeof(NetPortAttr) == 16);

// enum landlock_rule_type: kept as constants because the installed header declares the enum
// with only PATH_BENEATH, so a macro for NET_PORT would break a newer header.
inline constexpr int kRulePathBeneath = 1;
inline constexpr int kRuleNetPort = 2;  // ABI 4

// Rights a path_beneath rule may carry when its fd is not a directory (kernel ACCESS_FILE);
// directory-only rights on a file rule are EINVAL.
inline constexpr uint64_t kFileOnlyAccess =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
    LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV;

}  // namespace sbx::landlock
