// `sbx policy`: check, show and list policy files (man sbx-policy(5)).
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "cli/exec_options.h"
#include "policy/defaults.h"
#include "policy/search_path.h"
#include "policy/serialize.h"

namespace sbx::app {
namespace {

constexpr const char* kPolicyUsage =
    "Usage: sbx policy COMMAND\n"
    "\n"
    "Policies are YAML files that describe a sandbox (man 5 sbx-policy); `sbx exec --policy\n"
    "NAME` starts from one and its other flags override it.\n"
    "\n"
    "Commands:\n"
    "  check NAME|FILE...                  validate policies (exit 0, or 125 and the first error)\n"
    "  show [NAME|FILE] [--json] [FLAGS]   print the effective policy: after extends and any\n"
    "                                      sbx exec FLAGS; --json prints the canonical JSON whose\n"
    "                                      sha256 the verdict records\n"
    "  list                                every policy in the search path and where it is\n"
    "  path                                the search path, in order\n";

int check(std::span<const std::string> names, const cli::CallerContext& caller) {
  if (names.empty()) {
    spdlog::error("policy check: name a policy or a file, e.g. sbx policy check strict");
    return kExitUsage;
  }
  const auto dirs = policy::policy_search_path(caller.getenv);
  for (const auto& name : names) {
    auto loaded = policy::load_policy(name, dirs, caller.cwd);
    if (!loaded) {
      spdlog::error("policy check: {}", loaded.error().message);
      return kExitUsage;
    }
    std::string chain;
    for (size_t i = 1; i < loaded->chain.size(); ++i) chain += ", extends " + loaded->chain[i];
    std::cout << loaded->policy.name << ": ok (" << loaded->path << chain << ")\n";
  }
  return 0;
}

int show(std::span<const std::string> args, const cli::CallerContext& caller) {
  bool json = false;
  std::vector<std::string> flags;
  std::optional<std::string> name;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (i == 0 && !args[i].empty() && args[i][0] != '-') {
      name = args[i];
    } else {
      flags.push_back(args[i]);
    }
  }
  policy::Policy base = policy::default_policy();
  std::string header = "policy default (built in: what sbx exec does without --policy)";
  if (name) {
    auto loaded = policy::load_policy(*name, policy::policy_search_path(caller.getenv), caller.cwd);
    if (!loaded) {
      spdlog::error("policy show: {}", loaded.error().message);
      return kExitUsage;
    }
    header = "policy " + loaded->policy.name + " (" + loaded->path + ")";
    for (size_t i = 1; i < loaded->chain.size(); ++i) header += "\nextends " + loaded->chain[i];
    base = std::move(loaded->policy);
  }
  auto effective = cli::apply_exec_flags(std::move(base), flags, caller);
  if (!effective) {
    spdlog::error("policy show: {}", effective.error().message);
    return kExitUsage;
  }
  if (json) {
    std::cout << policy::canonical_policy_json(*effective) << "\n";
    return 0;
  }
  if (!flags.empty()) header += "\nwith flags:";
  for (const auto& f : flags) header += " " + f;
  header += "\nsha256 " + policy::policy_sha256(*effective);
  std::cout << policy::policy_to_yaml(*effective, header);
  return 0;
}

int list(const cli::CallerContext& caller) {
  const auto listings = policy::list_policies(policy::policy_search_path(caller.getenv));
  size_t width = 4;
  for (const auto& l : listings) width = std::max(width, l.name.size());
  for (const auto& l : listings) {
    std::string name = l.name;
    name.resize(width, ' ');
    std::cout << name << "  " << l.path << "  (" << l.kind << (l.shadowed ? ", shadowed by the one above" : "")
              << ")\n";
  }
  return 0;
}

int path(const cli::CallerContext& caller) {
  for (const auto& dir : policy::policy_search_path(caller.getenv)) {
    std::cout << dir.path << "  (" << dir.kind << ")\n";
  }
  return 0;
}

}  // namespace

int run_policy(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  if (args.empty()) {
    std::fputs(kPolicyUsage, stderr);
    return kExitUsage;
  }
  const std::string& command = args[0];
  const auto rest = args.subspan(1);
  const auto caller = cli::this_process_caller();
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kPolicyUsage, stdout);
    return 0;
  }
  if (command == "check") return check(rest, caller);
  if (command == "show") return show(rest, caller);
  if (command == "list" && rest.empty()) return list(caller);
  if (command == "path" && rest.empty()) return path(caller);
  spdlog::error("policy: unknown command \"{}\" (commands: check, show, list, path; see sbx policy --help)",
                command);
  return kExitUsage;
}

}  // namespace sbx::app
