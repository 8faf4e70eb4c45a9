#include "app/confinement.h"

#include "landlock/abi.h"
#include "landlock/ruleset.h"
#include "policy/network_mode.h"
#include "seccomp/filter.h"
#include "seccomp/names.h"
#include "seccomp/precompiled.h"

namespace sbx::app {
namespace {

landlock::Access to_landlock(mounts::PathAccess access) {
  switch (access) {
    case mounts::PathAccess::kReadExec: return landlock::Access::kReadExec;
    case mounts::PathAccess::kReadWrite: return landlock::Access::kReadWrite;
    case mounts::PathAccess::kDevices: return landlock::Access::kDevices;
  }
  return landlock::Access::kReadExec;
}

Result<LayerReport> add_landlock(const policy::Policy& policy, launch::LaunchPlan& plan) {
  landlock::RulesetSpec spec;
  spec.allow_network = policy.network != policy::NetworkMode::kNone;
  for (const auto& p : plan.landlock_paths()) spec.rules.push_back({p.path, to_landlock(p.access)});
  auto ruleset = landlock::build_ruleset(spec);
  if (!ruleset) {
    if (policy.landlock == policy::Enforcement::kRequired) {
      return std::move(ruleset).error().context("landlock (required; pass --landlock best-effort to run without it)");
    }
    return LayerReport{"landlock", false, ruleset.error().message};
  }
  const landlock::Enforced& e = ruleset->enforced();
  LayerReport report{"landlock", true, e.describe()};
  report.facts = {{"abi", e.abi},
                  {"fs_rights", landlock::fs_right_names(e.handled_fs)},
                  {"net_rights_denied", landlock::net_right_names(e.handled_net)},
                  {"scopes", landlock::scope_names(e.scoped)},
                  {"path_rules", e.rule_count}};
  plan.set_landlock(std::move(*ruleset));
  return report;
}

seccomp::DenyAction to_deny_action(policy::SeccompDenyAction action) {
  switch (action) {
    case policy::SeccompDenyAction::kErrno: return seccomp::DenyAction::kErrno;
    case policy::SeccompDenyAction::kKill: return seccomp::DenyAction::kKill;
    case policy::SeccompDenyAction::kLog: return seccomp::DenyAction::kLog;
  }
  return seccomp::DenyAction::kKill;
}

const char* deny_action_name(policy::SeccompDenyAction action) {
  switch (action) {
    case policy::SeccompDenyAction::kErrno: return "errno";
    case policy::SeccompDenyAction::kKill: return "kill";
    case policy::SeccompDenyAction::kLog: return "log";
  }
  return "kill";
}

const char* deny_action_effect(policy::SeccompDenyAction action) {
  switch (action) {
    case policy::SeccompDenyAction::kErrno: return "denials return EPERM";
    case policy::SeccompDenyAction::kKill: return "denials kill the process";
    case policy::SeccompDenyAction::kLog: return "denials are only logged (audit mode)";
  }
  return "";
}

seccomp::FilterOptions filter_options(const policy::SeccompRules& rules) {
  seccomp::FilterOptions options;
  options.deny_action = to_deny_action(rules.deny_action);
  options.extra_deny = rules.deny;
  options.allow = rules.allow;
  options.extra_ioctls = rules.deny_ioctls;
  options.extra_socket_families = rules.deny_socket_families;
  return options;
}

Result<LayerReport> add_seccomp(const policy::Policy& policy, launch::LaunchPlan& plan) {
  const seccomp::FilterOptions options = filter_options(policy.seccomp_rules);
  // The build-time copy exists only for the default rules; a policy's own rules cost a compile.
  Result<seccomp::CompiledFilter> filter = make_error("no filter");
  if (auto precompiled = seccomp::precompiled_default_filter(options)) {
    filter = std::move(*precompiled);
  } else {
    filter = seccomp::compile_filter(options);
  }
  if (!filter) {
    if (policy.seccomp == policy::Enforcement::kRequired) {
      return std::move(filter).error().context("seccomp (required; pass --seccomp best-effort to run without it)");
    }
    return LayerReport{"seccomp", false, filter.error().message};
  }
  const policy::SeccompRules& rules = policy.seccomp_rules;
  const bool customized = !options.is_default();
  LayerReport report{"seccomp", true,
                     std::string(customized ? "customized " : "") + "deny-list of policy " + policy.name + ", " +
                         std::to_string(filter->rule_count) + " rules, " + std::to_string(filter->program.size()) +
                         " BPF instructions, " + deny_action_effect(rules.deny_action)};
  report.facts = {{"policy", policy.name},
                  {"rules", filter->rule_count},
                  {"instructions", filter->program.size()},
                  {"deny_action", deny_action_name(rules.deny_action)},
                  {"precompiled", !customized}};
  if (customized) {
    nlohmann::ordered_json ioctls = nlohmann::ordered_json::array();
    for (uint64_t request : rules.deny_ioctls) {
      auto name = seccomp::ioctl_request_name(request);
      ioctls.push_back(name ? std::string(*name) : std::to_string(request));
    }
    nlohmann::ordered_json families = nlohmann::ordered_json::array();
    for (int family : rules.deny_socket_families) {
      auto name = seccomp::socket_family_name(family);
      families.push_back(name ? std::string(*name) : std::to_string(family));
    }
    report.facts["extra_deny"] = rules.deny;
    report.facts["allowed"] = rules.allow;
    report.facts["extra_ioctls"] = ioctls;
    report.facts["extra_socket_families"] = families;
  }
  plan.set_seccomp(std::move(filter->program));
  return report;
}

}  // namespace

Result<std::vector<LayerReport>> add_confinement(const policy::Policy& policy, launch::LaunchPlan& plan) {
  std::vector<LayerReport> layers;
  SBX_ASSIGN_OR_RETURN(auto landlock_report, add_landlock(policy, plan));
  layers.push_back(std::move(landlock_report));
  SBX_ASSIGN_OR_RETURN(auto seccomp_report, add_seccomp(policy, plan));
  layers.push_back(std::move(seccomp_report));
  return layers;
}

}  // namespace sbx::app
