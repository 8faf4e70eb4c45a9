// Which Landlock ABI the running kernel speaks, and what each ABI can restrict. Everything but
// the probes is pure, so the per-ABI tables are unit-tested without a kernel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace sbx::landlock {

// The newest ABI whose rights sbx knows. A newer kernel is used with these rights only.
inline constexpr int kMaxKnownAbi = 7;

// The kernel's ABI version, or 0 when Landlock is unsupported or disabled.
int probe_abi() noexcept;

// Like probe_abi, but says why Landlock is unavailable (for `sbx doctor` and error messages).
// The error keeps the probe's errno: ENOSYS (not built in) or EOPNOTSUPP (disabled at boot).
Result<int> probe_abi_detailed();

// How to turn Landlock on; interpret_abi_probe's errors end with "; " followed by this.
inline constexpr const char* kEnableHint =
    "to enable it, boot a kernel built with CONFIG_SECURITY_LANDLOCK=y and add landlock to the "
    "lsm= kernel command line (e.g. lsm=landlock,lockdown,yama,integrity,apparmor,bpf; the "
    "active list is in /sys/kernel/security/lsm)";

// Turns the raw result of landlock_create_ruleset(NULL, 0, VERSION) and its errno into an ABI or
// an explanation with the fix. Pure, so every failure mode is testable.
Result<int> interpret_abi_probe(long rc, int saved_errno);

// Every filesystem right the ABI knows: ABI 1 bits 0-12, 2 +REFER, 3 +TRUNCATE, 5 +IOCTL_DEV.
uint64_t handled_fs(int abi) noexcept;

// TCP bind/connect restriction arrived with ABI 4.
bool supports_net(int abi) noexcept;
// LANDLOCK_ACCESS_NET_BIND_TCP | CONNECT_TCP from ABI 4, else 0.
uint64_t handled_net(int abi) noexcept;

// Abstract unix socket and signal scoping arrived with ABI 6.
uint64_t supported_scopes(int abi) noexcept;

// "execute", "write_file", ... in bit order; unknown bits as "bit16".
std::vector<std::string> fs_right_names(uint64_t mask);
// "bind_tcp", "connect_tcp".
std::vector<std::string> net_right_names(uint64_t mask);
// "abstract-unix", "signal".
std::vector<std::string> scope_names(uint64_t mask);

}  // namespace sbx::landlock
