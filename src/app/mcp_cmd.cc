// `sbx mcp`: a Model Context Protocol server on stdin/stdout offering run_code and
// run_command. The flags fix what every tool call gets: policy, languages, limits, secrets,
// network and workspace.
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/service_options.h"
#include "app/writable_binds.h"
#include "mcp/mcp_session.h"
#include "policy/network_mode.h"
#include "policy/defaults.h"
#include "policy/validate.h"
#include "redact/redact.h"
#include "rpc/run_request.h"
#include "rpc/service.h"
#include "rpc/stdio_server.h"

namespace sbx::app {
namespace {

struct McpFlags {
  std::vector<std::string> secrets;
  std::string policy;
  std::optional<std::string> network;
  std::string workspace;
};

std::vector<cli::OptionSpec> mcp_specs(McpFlags& f) {
  return {
      {"policy", 0, true, "NAME", "run every call under this named policy",
       [&f](std::string_view v) -> Status {
         f.policy = std::string(v);
         return {};
       }},
      {"secret", 0, true, "NAME", "pass your variable NAME into every call, redacted from the output",
       [&f](std::string_view v) -> Status {
         f.secrets.emplace_back(v);
         return {};
       }},
      {"network", 0, true, "none|loopback|host",
       "network for every call (default none: loopback up, TCP denied; loopback: TCP on the sandbox's own)",
       [&f](std::string_view v) -> Status {
         if (!policy::network_mode_named(v)) return make_error(std::string("expected ") + policy::kNetworkModeChoices);
         f.network = std::string(v);
         return {};
       }},
      {"workspace", 0, true, "DIR", "share DIR read-write as /workspace across calls (default: a fresh one each)",
       [&f](std::string_view v) -> Status {
         f.workspace = std::string(v);
         return {};
       }},
  };
}

std::string mcp_help(std::span<const cli::OptionSpec> specs) {
  return "Usage: sbx mcp [OPTIONS]\n\n"
         "Serve the Model Context Protocol on stdin and stdout (protocol versions 2025-06-18,\n"
         "2025-03-26 and 2024-11-05) with two tools: run_code (language, code) and run_command\n"
         "(argv), each with optional stdin, files and timeout. Every call runs in a fresh sandbox.\n"
         "Defaults for tool calls: --timeout 30s, --output-limit 64k.\n\nOptions:\n" +
         cli::format_option_help(specs);
}

Result<std::vector<rpc::NameValue>> read_secrets(const std::vector<std::string>& names) {
  std::vector<rpc::NameValue> out;
  for (const auto& name : names) {
    const std::string origin = "--secret " + name;
    if (!policy::valid_secret_name(name)) return make_error(origin + ": not a valid name (letters, digits, _ and -)");
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return make_error(origin + ": " + name + " is not set in sbx's environment");
    const std::string v = value;
    if (v.size() < redact::kMinSecretBytes || v.find_first_of("\r\n") != std::string::npos) {
      return make_error(origin + ": the value must be one line of at least " + std::to_string(redact::kMinSecretBytes) +
                        " bytes");
    }
    out.emplace_back(name, v);
  }
  return out;
}

}  // namespace

int run_mcp(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  ServiceFlags flags;
  flags.limits.max_timeout = std::chrono::seconds(30);
  flags.limits.max_output = 64u << 10;
  McpFlags mcp_flags;
  bool help = false;
  auto specs = service_specs(flags);
  for (auto& spec : mcp_specs(mcp_flags)) specs.push_back(std::move(spec));
  specs.push_back({"help", 'h', false, "", "show this help", [&help](std::string_view) -> Status {
                     help = true;
                     return {};
                   }});
  auto operands = cli::parse_options(args, specs);
  if (!operands) {
    spdlog::error("mcp: {}", operands.error().message);
    return kExitUsage;
  }
  if (help) {
    std::cout << mcp_help(specs);
    return 0;
  }
  if (*operands < args.size()) {
    spdlog::error("mcp: unexpected argument \"{}\" (sbx mcp takes only options)", args[*operands]);
    return kExitUsage;
  }
  auto secrets = read_secrets(mcp_flags.secrets);
  if (!secrets) {
    spdlog::error("mcp: {}", secrets.error().message);
    return kExitUsage;
  }
  rpc::RunSettings settings = run_settings(flags);
  if (!mcp_flags.workspace.empty()) {
    char resolved[PATH_MAX];
    struct stat st {};
    if (::realpath(mcp_flags.workspace.c_str(), resolved) == nullptr || ::stat(resolved, &st) != 0 ||
        !S_ISDIR(st.st_mode)) {
      spdlog::error("mcp: --workspace {}: not a directory", mcp_flags.workspace);
      return kExitUsage;
    }
    settings.shared_workspace = resolved;
    const policy::Policy defaults;
    const auto ids = launch::choose_id_mapping(defaults.uid, defaults.gid, ::geteuid(), ::getegid());
    if (auto why = why_sandbox_cannot_write(resolved, ids, ::geteuid())) {
      spdlog::warn("mcp: --workspace {}: the sandbox cannot write to {}{}", mcp_flags.workspace, resolved, *why);
    }
  }
  rpc::EventLoop loop;
  rpc::RunManager runs(loop, std::move(settings), flags.admission);
  rpc::HostFacts facts("/proc/self/exe");
  rpc::Service service(loop, runs, facts);
  service.max_line_bytes = flags.max_message;
  service.languages = rpc::offered_languages(flags.languages);
  // What every call runs under, unless --network overrides the policy's network.
  policy::NetworkMode network_mode = policy::default_policy().network;
  if (!mcp_flags.policy.empty()) {
    auto named = rpc::load_named_policy(mcp_flags.policy, service.policy_dirs);
    if (!named) {
      std::string why = named.error().message;
      if (why.rfind("params.policy: ", 0) == 0) why.erase(0, 15);
      spdlog::error("mcp: --policy {}: {}", mcp_flags.policy, why);
      return kExitUsage;
    }
    network_mode = named->network;
  }
  if (mcp_flags.network) network_mode = *policy::network_mode_named(*mcp_flags.network);
  if (service.languages.empty()) spdlog::warn("mcp: no language is installed or allowed; only run_command works");
  rpc::Caller caller;
  caller.uid = ::getuid();
  caller.gid = ::getgid();
  caller.pid = ::getppid();
  caller.limits = flags.limits;
  mcp::McpConfig config{std::move(*secrets), mcp_flags.policy, mcp_flags.network};
  config.shared_workspace = !mcp_flags.workspace.empty();
  config.network_mode = network_mode;
  return rpc::serve_stdio(service, [&](rpc::SendLine send, rpc::OutputBlocked) {
    return std::make_unique<mcp::McpSession>(service, caller, config, std::move(send));
  });
}

}  // namespace sbx::app
