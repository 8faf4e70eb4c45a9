#include "seccomp/filter.h"

#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <set>
#include <utility>

#include "seccomp/context.h"
#include "seccomp/rules.h"

namespace sbx::seccomp {
namespace {

// The kernel reads ioctl requests, socket families and protocols as 32-bit ints: only the low half
// of the register counts, so comparisons on them must ignore the high half or a caller could
// slip past a rule by setting a high bit.
constexpr uint64_t kLow32 = 0xffffffff;

// The clone flags are argument 0 on x86_64 and aarch64 (s390 and cris swap the first two).
constexpr unsigned kCloneFlagsArg = 0;

uint32_t deny_action_value(DenyAction action) {
  switch (action) {
    case DenyAction::kErrno:
      return SCMP_ACT_ERRNO(EPERM);
    case DenyAction::kKill:
      // The whole process, not just the thread: a process with a thread killed mid-call is
      // left in a state nobody planned for.
      return SCMP_ACT_KILL_PROCESS;
    case DenyAction::kLog:
      return SCMP_ACT_LOG;
  }
  return SCMP_ACT_KILL_PROCESS;
}

scmp_arg_cmp masked_eq(unsigned arg, uint64_t mask, uint64_t value) {
  return scmp_arg_cmp{arg, SCMP_CMP_MASKED_EQ, mask, value};
}

// Adds rules by syscall name. A name this architecture does not have is recorded and skipped,
// so one policy list serves every architecture. Argument rules on a syscall that is refused
// outright are left out: the unconditional rule already covers them, and libseccomp refuses
// rules with different actions on the same arguments.
class RuleWriter {
 public:
  RuleWriter(FilterContext& ctx, std::vector<std::string>& skipped, const std::set<std::string>& refused_outright)
      : ctx_(ctx), skipped_(skipped), refused_outright_(refused_outright) {}

  Status add(const char* syscall, uint32_t action, std::span<const scmp_arg_cmp> conditions,
             std::string_view what) {
    if (!conditions.empty() && refused_outright_.count(syscall) != 0) return {};
    const std::optional<int> nr = resolve(syscall);
    if (!nr) {
      if (skipped_.empty() || skipped_.back() != syscall) skipped_.emplace_back(syscall);
      return {};
    }
    return ctx_.add_rule(action, *nr, conditions, what);
  }

  Status add(const char* syscall, uint32_t action) { return add(syscall, action, {}, syscall); }
  bool refused_outright(const char* syscall) const { return refused_outright_.count(syscall) != 0; }

 private:
  static std::optional<int> resolve(const char* syscall) {
    const int nr = seccomp_syscall_resolve_name(syscall);
    // Negative is either __NR_SCMP_ERROR (unknown name) or one of libseccomp's pseudo numbers
    // for a syscall this architecture lacks; a rule on a pseudo number would match nothing.
    if (nr >= 0) return nr;
    const uint32_t arch = seccomp_arch_native();
    if (arch == SCMP_ARCH_X86_64 || arch == SCMP_ARCH_AARCH64) {
      return unified_syscall_number(syscall);
    }
    return std::nullopt;
  }

  FilterContext& ctx_;
  std::vector<std::string>& skipped_;
  const std::set<std::string>& refused_outright_;
};

Status add_namespace_rules(RuleWriter& rules, uint32_t deny) {
  // One rule per bit: a masked test of a single bit matches whatever else is in the flags, and
  // a plain fork (clone with SIGCHLD, no namespace bit) still passes.
  for (const NamespaceFlag& flag : namespace_flags()) {
    const std::array unshare_cond = {masked_eq(0, flag.bit, flag.bit)};
    SBX_RETURN_IF_ERROR(
        rules.add("unshare", deny, unshare_cond, "unshare(" + std::string(flag.name) + ")"));
    if (!flag.applies_to_clone) continue;
    const std::array clone_cond = {masked_eq(kCloneFlagsArg, flag.bit, flag.bit)};
    SBX_RETURN_IF_ERROR(
        rules.add("clone", deny, clone_cond, "clone(" + std::string(flag.name) + ")"));
  }
  // clone3 passes its flags behind a pointer, which seccomp cannot read. ENOSYS (not EPERM)
  // makes glibc fall back to clone, where the rules above apply. A policy that denies clone3
  // outright gets its deny action instead.
  if (rules.refused_outright("clone3")) return {};
  return rules.add("clone3", SCMP_ACT_ERRNO(ENOSYS));
}

Status add_ioctl_rules(RuleWriter& rules, uint32_t deny, const std::vector<uint64_t>& extra) {
  // TIOCSTI pushes input into the terminal, TIOCLINUX can paste the console selection: either
  // lets the sandbox type commands into the shell that started it.
  std::vector<uint64_t> requests = {TIOCSTI, TIOCLINUX};
  for (uint64_t request : extra) {
    if (std::find(requests.begin(), requests.end(), request) == requests.end()) requests.push_back(request);
  }
  for (uint64_t request : requests) {
    const std::array cond = {masked_eq(1, kLow32, request & kLow32)};
    SBX_RETURN_IF_ERROR(rules.add("ioctl", deny, cond, "ioctl(" + std::to_string(request) + ")"));
  }
  return {};
}

Status add_personality_rules(RuleWriter& rules, uint32_t deny) {
  // Other personalities turn off ASLR or make data executable (READ_IMPLIES_EXEC).
  for (const MaskedValue& pattern : personality_deny_patterns()) {
    const std::array cond = {masked_eq(0, pattern.mask, pattern.value)};
    SBX_RETURN_IF_ERROR(rules.add("personality", deny, cond, "personality"));
  }
  return {};
}

Status add_socket_rules(RuleWriter& rules, uint32_t deny, const std::vector<int>& extra) {
  // Raw packet access, host<->VM sockets, and netlink families other than routing (audit,
  // netfilter, crypto, uevents...). socketpair too: creating the pair first creates sockets of
  // the family, which can autoload its kernel module before the call fails.
  std::vector<int> families = {AF_PACKET, AF_VSOCK};
  for (int family : extra) {
    if (std::find(families.begin(), families.end(), family) == families.end()) families.push_back(family);
  }
  const bool netlink_refused = std::find(families.begin(), families.end(), AF_NETLINK) != families.end();
  for (const char* syscall : {"socket", "socketpair"}) {
    for (int family : families) {
      const std::array cond = {masked_eq(0, kLow32, static_cast<uint64_t>(family))};
      SBX_RETURN_IF_ERROR(
          rules.add(syscall, deny, cond, std::string(syscall) + "(family " + std::to_string(family) + ")"));
    }
    if (netlink_refused) continue;
    // A full 64-bit "not equal" refuses NETLINK_ROUTE with junk in the high bits too, which the
    // kernel would have read as NETLINK_ROUTE: harmless over-refusal, as libseccomp has no
    // masked "not equal".
    const std::array netlink_cond = {
        masked_eq(0, kLow32, AF_NETLINK),
        scmp_arg_cmp{2, SCMP_CMP_NE, NETLINK_ROUTE, 0},
    };
    SBX_RETURN_IF_ERROR(rules.add(syscall, deny, netlink_cond,
                                  std::string(syscall) + "(AF_NETLINK, not NETLINK_ROUTE)"));
  }
  return {};
}

struct BuiltFilter {
  FilterContext ctx;
  std::vector<std::string> skipped;
};

// The default always-denied list minus options.allow, plus options.extra_deny, in that order.
Result<std::vector<std::string>> refused_syscalls(const FilterOptions& options) {
  const auto defaults = always_denied_syscall_names();
  for (const auto& name : options.allow) {
    if (std::find(defaults.begin(), defaults.end(), name) == defaults.end()) {
      return make_error("seccomp: cannot allow " + name + ": it is not on the default deny list");
    }
  }
  std::vector<std::string> names;
  for (const char* name : defaults) {
    if (std::find(options.allow.begin(), options.allow.end(), name) == options.allow.end()) names.emplace_back(name);
  }
  for (const auto& name : options.extra_deny) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

Result<BuiltFilter> build_filter(const FilterOptions& options) {
  SBX_ASSIGN_OR_RETURN(const std::vector<std::string> refused, refused_syscalls(options));
  const std::set<std::string> refused_set(refused.begin(), refused.end());
  const uint32_t deny = deny_action_value(options.deny_action);
  // A deny-list: everything not named below is allowed.
  SBX_ASSIGN_OR_RETURN(FilterContext ctx, FilterContext::create(SCMP_ACT_ALLOW));
  // The filter only describes the native ABI. i386 (int 0x80) and, on x86_64, x32 syscalls
  // (numbers with __X32_SYSCALL_BIT, which libseccomp 2.5.4 routes to this same action when
  // x32 is not in the filter) would otherwise skip every rule.
  SBX_RETURN_IF_ERROR(ctx.set_attribute(SCMP_FLTATR_ACT_BADARCH, deny, "bad-architecture action"));
  // A binary tree over syscall numbers rather than a linear chain. At run time the shape hardly
  // matters (since 5.11 the kernel caches the syscalls a filter always allows), but to build
  // that cache, loading the filter runs it once for every syscall number of every
  // architecture: with a chain, that alone cost ~80 us of every sandbox start.
  SBX_RETURN_IF_ERROR(ctx.set_attribute(SCMP_FLTATR_CTL_OPTIMIZE, 2, "binary-tree optimization"));

  BuiltFilter built{std::move(ctx), {}};
  RuleWriter rules(built.ctx, built.skipped, refused_set);
  for (const std::string& syscall : refused) {
    SBX_RETURN_IF_ERROR(rules.add(syscall.c_str(), deny));
  }
  SBX_RETURN_IF_ERROR(add_namespace_rules(rules, deny));
  SBX_RETURN_IF_ERROR(add_ioctl_rules(rules, deny, options.extra_ioctls));
  SBX_RETURN_IF_ERROR(add_personality_rules(rules, deny));
  SBX_RETURN_IF_ERROR(add_socket_rules(rules, deny, options.extra_socket_families));
  return built;
}

}  // namespace

sock_fprog CompiledFilter::fprog() const {
  // sock_fprog has a non-const pointer for the kernel ABI; seccomp(2) only reads through it.
  return sock_fprog{static_cast<unsigned short>(program.size()),
                    const_cast<sock_filter*>(program.data())};
}

bool FilterOptions::is_default() const {
  return extra_deny.empty() && allow.empty() && extra_ioctls.empty() && extra_socket_families.empty();
}

Result<CompiledFilter> compile_filter(const FilterOptions& options) {
  SBX_ASSIGN_OR_RETURN(BuiltFilter built, build_filter(options));
  SBX_ASSIGN_OR_RETURN(std::vector<sock_filter> program, export_bpf(built.ctx));
  CompiledFilter compiled;
  compiled.program = std::move(program);
  compiled.rule_count = built.ctx.rule_count();
  compiled.skipped_syscalls = std::move(built.skipped);
  return compiled;
}

Result<std::string> filter_pfc(const FilterOptions& options) {
  SBX_ASSIGN_OR_RETURN(BuiltFilter built, build_filter(options));
  return export_pfc(built.ctx);
}

std::vector<std::string> default_denied_syscalls() {
  const auto names = always_denied_syscall_names();
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<std::string> default_restricted_syscalls() {
  return {"clone", "clone3", "ioctl", "personality", "socket", "socketpair", "unshare"};
}

bool syscall_name_known(const std::string& name) {
  // __NR_SCMP_ERROR means no architecture has the name; other negative numbers are libseccomp's
  // pseudo numbers for syscalls that exist elsewhere but not here.
  return seccomp_syscall_resolve_name(name.c_str()) != __NR_SCMP_ERROR || unified_syscall_number(name).has_value();
}

}  // namespace sbx::seccomp
