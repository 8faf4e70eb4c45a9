// The default policy as plain data, kept apart from libseccomp so it can be checked directly.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace sbx::seccomp {

// Refused whatever the arguments.
std::span<const char* const> always_denied_syscall_names();

struct NamespaceFlag {
  const char* name;  // "CLONE_NEWUSER"
  uint64_t bit;
  bool applies_to_clone;  // false only for CLONE_NEWTIME (see rules.cc)
};
std::span<const NamespaceFlag> namespace_flags();

// A seccomp argument test: (arg & mask) == value.
struct MaskedValue {
  uint64_t mask;
  uint64_t value;
};

// personality() values left alone (Docker's list): PER_LINUX, PER_LINUX32, UNAME26,
// PER_LINUX32|UNAME26, and the 0xffffffff query.
std::span<const uint32_t> allowed_personalities();
// Patterns that together match exactly the personality arguments whose low 32 bits (all the
// kernel reads) are not in allowed_personalities().
std::vector<MaskedValue> personality_deny_patterns();

// Syscall numbers for denied syscalls newer than libseccomp 2.5.4's tables, valid on
// architectures that use the unified syscall numbering (x86_64, aarch64). Empty when unknown.
std::optional<int> unified_syscall_number(std::string_view name);

}  // namespace sbx::seccomp
