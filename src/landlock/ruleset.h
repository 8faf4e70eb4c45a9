// Parent side of Landlock: turns "these sandbox paths, with this access" into a ruleset fd and a
// POD rule list the child populates and enforces (launch::LandlockPlan). Decided before clone,
// so the child only opens paths and issues add_rule/restrict_self.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "launch/child_plan.h"

namespace sbx::landlock {

enum class Access {
  kReadExec,   // execute, read files, list directories
  kReadWrite,  // kReadExec + create/remove/rename/truncate; never device nodes or device ioctls
  kDevices,    // kReadExec + write, truncate and ioctl on existing files: for /dev (terminals
               // need ioctls, shells open /dev/null with O_TRUNC); creates nothing
};

const char* access_name(Access access) noexcept;

// The full mask of an access class, before the ABI is taken into account.
uint64_t access_mask(Access access) noexcept;
// access_mask restricted to what the ABI handles: a rule carrying an unhandled right is EINVAL.
uint64_t rule_mask(Access access, int abi) noexcept;

struct PathRule {
  std::string path;  // absolute, inside the sandbox (the child opens it after pivot_root)
  Access access = Access::kReadExec;
};

struct RulesetSpec {
  std::vector<PathRule> rules;
  // false: every TCP bind and connect is denied (ABI >= 4; older ABIs cannot restrict TCP).
  bool allow_network = false;
};

// What the ruleset enforces, for logs and the run report.
struct Enforced {
  int abi = 0;
  uint64_t handled_fs = 0;
  uint64_t handled_net = 0;
  uint64_t scoped = 0;
  size_t rule_count = 0;

  // "landlock ABI 7: fs rights 16, tcp bind/connect denied, scopes abstract-unix+signal,
  //  3 path rules" (one line)
  std::string describe() const;
};

// Pure: what a ruleset built at this ABI handles (rule_count left 0).
Enforced plan_enforcement(int abi, bool allow_network) noexcept;

// Pure: every rule path is absolute, non-empty and free of NUL bytes.
Status validate_rules(const std::vector<PathRule>& rules);

// Owns the ruleset fd and the strings the POD rules point into. Move-only; moving keeps view()
// valid because the strings never move (vector moves transfer the buffer).
class RulesetPlan {
 public:
  RulesetPlan(RulesetPlan&&) noexcept = default;
  RulesetPlan& operator=(RulesetPlan&&) noexcept = default;
  RulesetPlan(const RulesetPlan&) = delete;
  RulesetPlan& operator=(const RulesetPlan&) = delete;
  ~RulesetPlan() = default;

  // The POD for launch::ChildPlan. Valid while this plan lives.
  launch::LandlockPlan view() const noexcept;
  const Enforced& enforced() const noexcept { return enforced_; }
  const std::vector<launch::LandlockRule>& rules() const noexcept { return rules_; }
  int ruleset_fd() const noexcept { return fd_.get(); }

 private:
  friend Result<RulesetPlan> build_ruleset_at_abi(const RulesetSpec& spec, int abi);
  RulesetPlan() = default;

  UniqueFd fd_;
  std::vector<std::string> paths_;
  std::vector<launch::LandlockRule> rules_;
  Enforced enforced_;
};

// Probes the kernel and builds at its ABI. Landlock unavailable is an error (errno ENOSYS or
// EOPNOTSUPP kept) whose message says how to enable it; the caller decides whether that is fatal
// (Enforcement::kRequired) or skipped (kBestEffort).
Result<RulesetPlan> build_ruleset(const RulesetSpec& spec);

// Builds with the rights of `abi`, which must not exceed the kernel's. Lets tests and a pinned
// compatibility level use an older ABI's semantics on a newer kernel.
Result<RulesetPlan> build_ruleset_at_abi(const RulesetSpec& spec, int abi);

}  // namespace sbx::landlock
