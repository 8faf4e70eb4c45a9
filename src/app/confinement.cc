#include "app/confinement.h"

#include "landlock/abi.h"
#include "landlock/ruleset.h"
#include "seccomp/filter.h"
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
  spec.allow_network = policy.network == policy::NetworkMode::kHost;
  for (const auto& p : plan.mounts().landlock_paths) spec.rules.push_back({p.path, to_landlock(p.access)});
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

Result<LayerReport> add_seccomp(const policy::Policy& policy, launch::LaunchPlan& plan) {
  const seccomp::FilterOptions options;
  Result<seccomp::CompiledFilter> filter = make_error("no filter");
  if (auto precompiled = seccomp::precompiled_default_filter(options)) {
    filter = std::move(*precompiled);
  } else {
    filter = seccomp::compile_default_filter(options);
  }
  if (!filter) {
    if (policy.seccomp == policy::Enforcement::kRequired) {
      return std::move(filter).error().context("seccomp (required; pass --seccomp best-effort to run without it)");
    }
    return LayerReport{"seccomp", false, filter.error().message};
  }
  LayerReport report{"seccomp", true,
                     filter->name + " deny-list, " + std::to_string(filter->rule_count) + " rules, " +
                         std::to_string(filter->program.size()) + " BPF instructions, denials return EPERM"};
  report.facts = {{"policy", filter->name},
                  {"rules", filter->rule_count},
                  {"instructions", filter->program.size()},
                  {"deny_action", "errno"}};
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
