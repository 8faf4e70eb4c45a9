// `sbx selftest`: the escape suite, run on this host against this sbx and a policy. Each attack
// runs once without sbx (the control: proof that it works here) and once in a sandbox; the table
// says which were stopped. Exit 0 when none escaped, 1 when one did, 125 on bad flags.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "base/one_line.h"
#include "cli/option_parser.h"
#include "policy/search_path.h"
#include "selftest/attack.h"
#include "selftest/fixture.h"
#include "selftest/runner.h"

namespace sbx::app {
namespace {

constexpr const char* kUsage =
    "Usage: sbx selftest [--policy NAME|FILE] [--only TEXT] [--json] [--list]\n"
    "\n"
    "Run sbx's escape suite on this host: every attack (filesystem, processes, resources,\n"
    "network, kernel interfaces, information leaks) once without sbx, to show it works here,\n"
    "and once inside a sandbox under the policy, which must stop it. Only loopback and\n"
    "namespaces the suite makes are targeted; every attack is bounded and ends in seconds.\n"
    "Exit status 0 when nothing escaped, 1 when something did.\n"
    "\n"
    "Options:\n";

constexpr int kExitEscaped = 1;

struct SelftestFlags {
  std::string policy;
  std::string only;
  bool json = false;
  bool list = false;
  bool help = false;
  // The attack side (what runs inside the sandbox): internal, not in the help.
  std::string attack;
  std::string targets;
  bool control = false;
};

std::vector<cli::OptionSpec> specs(SelftestFlags& f) {
  const auto set = cli::store_value;
  const auto flag = cli::set_flag;
  return {
      {"policy", 0, true, "NAME|FILE", "the policy the sandboxes run under (default: sbx exec's default)",
       set(f.policy)},
      {"only", 0, true, "TEXT", "run only the attacks whose name contains TEXT (e.g. net. or fs.proc)", set(f.only)},
      {"json", 0, false, "", "print one JSON object instead of the table", flag(f.json)},
      {"list", 0, false, "", "list the attacks and exit", flag(f.list)},
      {"help", 'h', false, "", "show this help", flag(f.help)},
      {"attack", 0, true, "NAME", "", set(f.attack)},
      {"targets", 0, true, "JSON", "", set(f.targets)},
      {"control", 0, false, "", "", flag(f.control)},
  };
}

int run_one_attack(const SelftestFlags& f) {
  const selftest::Attack* attack = selftest::find_attack(f.attack);
  if (attack == nullptr) {
    std::fprintf(stderr, "sbx: error: selftest: unknown attack \"%s\" (sbx selftest --list)\n", one_line(f.attack).c_str());
    return kExitUsage;
  }
  auto targets = selftest::targets_from_json(f.targets);
  if (!targets) {
    std::fprintf(stderr, "sbx: error: %s\n", one_line(targets.error().message).c_str());
    return kExitUsage;
  }
  const selftest::Report r = attack->run(selftest::AttackContext{*targets, f.control});
  std::fprintf(stderr, "sbx-selftest: %s: %s\n", r.escaped ? "escaped" : "blocked", r.detail.c_str());
  // Nothing runs after the report: an attack may leave its process in any state, and in a
  // sanitizer build LeakSanitizer's exit-time scan would need ptrace, which the sandbox denies.
  std::fflush(nullptr);
  ::_exit(0);
}

// The layers a sandbox under this policy has, from one run's verdict.
nlohmann::json active_layers(const std::string& sbx, const std::vector<std::string>& policy) {
  std::string command = "'" + sbx + "' exec";
  for (const auto& p : policy) command += " '" + p + "'";
  command += " --no-workspace --json -- /bin/true 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  const auto verdict = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (!verdict.is_object() || !verdict.contains("layers")) return nullptr;
  return verdict["layers"];
}

std::string layers_line(const nlohmann::json& layers) {
  if (!layers.is_object()) return "unknown (a sandbox under this policy did not start)";
  std::string out;
  for (const auto& [key, value] : layers.items()) {
    std::string text;
    if (value.is_array()) {
      for (const auto& v : value) text += (text.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
    } else if (value.is_object() && value.contains("abi")) {
      text = "on, ABI " + value["abi"].dump();
    } else if (value.is_object() && value.contains("enforced")) {
      text = value["enforced"] == true ? "on" : "off";
      if (value.contains("detail") && value["detail"].is_string()) text += " (" + value["detail"].get<std::string>() + ")";
    } else if (value.is_object()) {
      for (const auto& [name, limit] : value.items()) {
        text += (text.empty() ? "" : " ") + name + "=" + (limit.contains("soft") ? limit["soft"].dump() : limit.dump());
      }
    } else {
      text = value.is_string() ? value.get<std::string>() : value.dump();
    }
    out += "\n  " + key + ": " + text;
  }
  return out;
}

}  // namespace

int run_selftest(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  SelftestFlags f;
  const auto option_specs = specs(f);
  auto operands = cli::parse_options(args, option_specs);
  if (!operands) {
    spdlog::error("selftest: {}", operands.error().message);
    return kExitUsage;
  }
  if (*operands < args.size()) {
    spdlog::error("selftest: unexpected argument \"{}\" (sbx selftest --help)", args[*operands]);
    return kExitUsage;
  }
  if (f.help) {
    std::fputs(kUsage, stdout);
    std::vector<cli::OptionSpec> visible(option_specs.begin(), option_specs.begin() + 5);
    std::fputs(cli::format_option_help(visible).c_str(), stdout);
    return 0;
  }
  if (!f.attack.empty()) return run_one_attack(f);

  std::vector<const selftest::Attack*> attacks;
  for (const auto* a : selftest::all_attacks()) {
    if (f.only.empty() || std::string(a->name).find(f.only) != std::string::npos) attacks.push_back(a);
  }
  if (attacks.empty()) {
    spdlog::error("selftest: --only {}: no attack name contains it (sbx selftest --list)", f.only);
    return kExitUsage;
  }
  if (f.list) {
    for (const auto* a : attacks) std::printf("%-32s %-10s %s\n", a->name, a->category, a->goal);
    return 0;
  }
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    spdlog::error("selftest: cannot find this executable: {}", ec.message());
    return kExitUsage;
  }
  selftest::RunnerOptions options{self, {}};
  if (!f.policy.empty()) {
    // The attacks run in the suite's own directory: a policy file named relative to the
    // caller's must be found from there too.
    std::string policy = f.policy;
    if (policy::names_a_file(policy) && policy[0] != '/') {
      policy = std::filesystem::absolute(policy, ec).lexically_normal().string();
      if (ec) {
        spdlog::error("selftest: --policy {}: {}", f.policy, ec.message());
        return kExitUsage;
      }
    }
    options.policy = {"--policy", policy};
  }
  const nlohmann::json layers = active_layers(self, options.policy);
  if (layers.is_null()) {
    spdlog::error("selftest: a sandbox under {} does not start (try: sbx exec {} -- /bin/true)",
                  f.policy.empty() ? "the default policy" : "--policy " + f.policy,
                  f.policy.empty() ? "" : "--policy " + f.policy);
    return kExitUsage;
  }
  auto fixture = selftest::Fixture::create(self);
  if (!fixture) {
    spdlog::error("{}", fixture.error().message);
    return kExitUsage;
  }
  int passed = 0, failed = 0, undemonstrable = 0;
  nlohmann::json rows = nlohmann::json::array();
  if (!f.json) std::printf("%-32s %-10s %-9s %-9s %s\n", "ATTACK", "CATEGORY", "CONTROL", "SBX", "RESULT");
  for (const auto* a : attacks) {
    const auto o = selftest::run_attack(*a, **fixture, options);
    if (o.verdict == "pass") ++passed;
    else if (o.verdict == "fail") ++failed;
    else ++undemonstrable;
    const char* sandbox_word = o.sandbox.sbx_failed ? "error" : o.sandbox.escaped ? "ESCAPED" : "blocked";
    if (f.json) {
      rows.push_back({{"name", a->name},
                      {"category", a->category},
                      {"goal", a->goal},
                      {"result", o.verdict},
                      {"control", {{"escaped", o.control.escaped}, {"detail", o.control.detail}}},
                      {"sandbox", {{"escaped", o.sandbox.escaped}, {"error", o.sandbox.sbx_failed},
                                   {"detail", o.sandbox.detail}}}});
    } else {
      std::printf("%-32s %-10s %-9s %-9s %s\n", a->name, a->category, o.control.escaped ? "escaped" : "failed",
                  sandbox_word, o.verdict.c_str());
      if (o.verdict == "fail") std::printf("    %s\n", o.sandbox.detail.c_str());
      std::fflush(stdout);
    }
  }
  if (f.json) {
    const nlohmann::json report = {{"attacks", rows},      {"passed", passed},
                                   {"failed", failed},     {"not_demonstrable", undemonstrable},
                                   {"layers", layers},     {"policy", f.policy.empty() ? "default" : f.policy},
                                   {"uid", ::geteuid()}};
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    std::printf("\nlayers: %s\n", layers_line(layers).c_str());
    if (undemonstrable > 0) {
      std::printf("not demonstrable here: %d (the attack failed without sbx too, so it proves nothing on this host)\n",
                  undemonstrable);
    }
    std::printf("%d passed, %d failed\n", passed, failed);
  }
  return failed > 0 ? kExitEscaped : 0;
}

}  // namespace sbx::app
