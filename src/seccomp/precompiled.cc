#include "seccomp/precompiled.h"

#include <array>
#include <initializer_list>

namespace sbx::seccomp {
namespace {

struct Precompiled {
  DenyAction action;
  size_t rule_count;
  std::initializer_list<sock_filter> program;
  std::initializer_list<const char*> skipped;
};

#define SBX_INSNS(...) {__VA_ARGS__}
#define SBX_NAMES(...) {__VA_ARGS__}
#define SBX_PRECOMPILED_FILTER(action, rules, insns, names) Precompiled{DenyAction::action, rules, insns, names},

const std::array kPrecompiled = {
#include "seccomp_default.inc"
};

#undef SBX_PRECOMPILED_FILTER
#undef SBX_NAMES
#undef SBX_INSNS

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
    filter.skipped_syscalls.assign(p.skipped.begin(), p.skipped.end());
    return filter;
  }
  return std::nullopt;
}

}  // namespace sbx::seccomp
