#include "landlock/ruleset.h"

#include <fmt/format.h>

#include <bit>
#include <utility>

#include "landlock/abi.h"
#include "landlock/syscalls.h"
#include "landlock/uapi.h"

namespace sbx::landlock {
namespace {

constexpr uint64_t kReadExecMask =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;

// MAKE_CHAR/MAKE_BLOCK stay out: a device node created in a writable directory would reach
// hardware the sandbox's /dev does not expose. IOCTL_DEV stays out for the same reason.
constexpr uint64_t kReadWriteMask =
    kReadExecMask | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |
    LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE;

constexpr uint64_t kDevicesMask = kReadExecMask | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                  LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV;

std::string tcp_phrase(const Enforced& e) {
  if (e.handled_net != 0) return "tcp bind/connect denied";
  if (!supports_net(e.abi)) return "tcp not restrictable (needs ABI 4)";
  return "tcp allowed";
}

std::string scope_phrase(const Enforced& e) {
  if (e.scoped == 0) return e.abi >= 6 ? "no scopes" : "no scopes (needs ABI 6)";
  return "scopes " + fmt::format("{}", fmt::join(scope_names(e.scoped), "+"));
}

}  // namespace

const char* access_name(Access access) noexcept {
  switch (access) {
    case Access::kReadExec:
      return "read-exec";
    case Access::kReadWrite:
      return "read-write";
    case Access::kDevices:
      return "devices";
  }
  return "unknown";
}

uint64_t access_mask(Access access) noexcept {
  switch (access) {
    case Access::kReadExec:
      return kReadExecMask;
    case Access::kReadWrite:
      return kReadWriteMask;
    case Access::kDevices:
      return kDevicesMask;
  }
  return 0;
}

uint64_t rule_mask(Access access, int abi) noexcept {
  return access_mask(access) & handled_fs(abi);
}

std::string Enforced::describe() const {
  return fmt::format("landlock ABI {}: fs rights {}, {}, {}, {} path rule{}", abi,
                     std::popcount(handled_fs), tcp_phrase(*this), scope_phrase(*this), rule_count,
                     rule_count == 1 ? "" : "s");
}

Enforced plan_enforcement(int abi, bool allow_network) noexcept {
  Enforced e;
  e.abi = abi;
  e.handled_fs = handled_fs(abi);
  e.handled_net = allow_network ? 0 : handled_net(abi);
  e.scoped = supported_scopes(abi);
  return e;
}

Status validate_rules(const std::vector<PathRule>& rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string& path = rules[i].path;
    if (path.empty() || path.front() != '/') {
      return make_error(fmt::format("landlock: rules[{}] ({}): path must be absolute (got \"{}\")",
                                    i, access_name(rules[i].access), path));
    }
    if (path.find('\0') != std::string::npos) {
      return make_error(fmt::format("landlock: rules[{}]: path contains a NUL byte", i));
    }
  }
  return {};
}

launch::LandlockPlan RulesetPlan::view() const noexcept {
  return launch::LandlockPlan{fd_.get(), rules_.data(), rules_.size()};
}

Result<RulesetPlan> build_ruleset(const RulesetSpec& spec) {
  auto abi = probe_abi_detailed();
  if (!abi) return std::move(abi).error().context("landlock");
  return build_ruleset_at_abi(spec, *abi);
}

Result<RulesetPlan> build_ruleset_at_abi(const RulesetSpec& spec, int abi) {
  if (abi < 1) {
    return make_error(fmt::format("landlock: ABI {} cannot enforce anything", abi));
  }
  SBX_RETURN_IF_ERROR(validate_rules(spec.rules));

  RulesetPlan plan;
  plan.enforced_ = plan_enforcement(abi, spec.allow_network);
  plan.enforced_.rule_count = spec.rules.size();

  const RulesetAttr attr{plan.enforced_.handled_fs, plan.enforced_.handled_net,
                         plan.enforced_.scoped};
  const int fd = create_ruleset(&attr, sizeof(attr), 0);
  if (fd < 0) {
    return errno_error(
        fmt::format("landlock: landlock_create_ruleset(fs={:#x}, net={:#x}, "
                    "scoped={:#x}) at ABI {}",
                    attr.handled_access_fs, attr.handled_access_net, attr.scoped, abi));
  }
  plan.fd_.reset(fd);

  // All strings first, then pointers: growing paths_ later would move short (SSO) strings.
  plan.paths_.reserve(spec.rules.size());
  for (const PathRule& rule : spec.rules) plan.paths_.push_back(rule.path);
  plan.rules_.reserve(spec.rules.size());
  for (size_t i = 0; i < spec.rules.size(); ++i) {
    plan.rules_.push_back(
        launch::LandlockRule{plan.paths_[i].c_str(), rule_mask(spec.rules[i].access, abi)});
  }
  return plan;
}

}  // namespace sbx::landlock
