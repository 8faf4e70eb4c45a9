// `sbx rpc`: the sbx.rpc/1 protocol on stdin and stdout, for programs that embed sbx as a
// subprocess. One JSON-RPC message per line each way.
#include <unistd.h>

#include <iostream>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/service_options.h"
#include "rpc/rpc_session.h"
#include "rpc/stdio_server.h"

namespace sbx::app {
namespace {

std::string rpc_help(std::span<const cli::OptionSpec> specs) {
  return "Usage: sbx rpc [OPTIONS]\n\n"
         "Serve the sbx.rpc/1 protocol (newline-delimited JSON-RPC 2.0) on stdin and stdout:\n"
         "methods run (plain or streamed), cancel, health and capabilities. Each run is an\n"
         "`sbx exec` worker with a private /workspace. Ends when stdin ends and every run has\n"
         "been answered. See sbx-serve(8) for the protocol.\n\nOptions:\n" +
         cli::format_option_help(specs);
}

}  // namespace

int run_rpc(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  ServiceFlags flags;
  bool help = false;
  auto specs = service_specs(flags);
  specs.push_back({"help", 'h', false, "", "show this help", [&help](std::string_view) -> Status {
                     help = true;
                     return {};
                   }});
  auto operands = cli::parse_options(args, specs);
  if (!operands) {
    spdlog::error("rpc: {}", operands.error().message);
    return kExitUsage;
  }
  if (help) {
    std::cout << rpc_help(specs);
    return 0;
  }
  if (*operands < args.size()) {
    spdlog::error("rpc: unexpected argument \"{}\" (sbx rpc takes only options)", args[*operands]);
    return kExitUsage;
  }
  rpc::EventLoop loop;
  rpc::RunManager runs(loop, run_settings(flags), flags.admission);
  rpc::HostFacts facts("/proc/self/exe");
  rpc::Service service(loop, runs, facts);
  service.max_line_bytes = flags.max_message;
  service.languages = rpc::offered_languages(flags.languages);
  rpc::Caller caller;
  caller.uid = ::getuid();
  caller.gid = ::getgid();
  caller.pid = ::getppid();
  caller.limits = flags.limits;
  return rpc::serve_stdio(service, [&](rpc::SendLine send, rpc::OutputBlocked blocked) {
    return std::make_unique<rpc::RpcSession>(service, caller, std::move(send), std::move(blocked));
  });
}

}  // namespace sbx::app
