#include "seccomp/precompiled.h"

#include <span>

namespace sbx::seccomp {
namespace {

struct Precompiled {
  DenyAction action;
  size_t rule_count;
  std::span<const sock_filter> program;
  const char* const* skipped;  // nullptr-terminated
};

#include "seccomp_default.inc"

}  // namespace

std::optional<CompiledFilter> precompiled_default_filter(const FilterOptions& options) {
  // Only the deny action varies between the build-time copies; a policy's own rules need a
  // compile at run time.
  if (!options.is_default()) return std::nullopt;
  for (const Precompiled& p : kPrecompiled) {
    if (p.action != options.deny_action) continue;
    CompiledFilter filter;
    filter.program.assign(p.program.begin(), p.program.end());
    filter.rule_count = p.rule_count;
    for (const char* const* name = p.skipped; *name != nullptr; ++name) filter.skipped_syscalls.emplace_back(*name);
    return filter;
  }
  return std::nullopt;
}

}  // namespace sbx::seccomp
