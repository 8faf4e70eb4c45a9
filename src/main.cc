// sbx: run untrusted code in a sandbox. Parses global flags and hands over to one command.
#include <cstdio>
#include <string>
#include <vector>

#include "app/app.h"
#include "base/one_line.h"
#include "rpc/standby_workers.h"

namespace {

constexpr const char* kUsage =
    "Usage: sbx [-v|--verbose]... [-q|--quiet] COMMAND [ARGS]\n"
    "\n"
    "Run untrusted code in a fresh, unprivileged Linux sandbox.\n"
    "\n"
    "Commands:\n"
    "  exec [OPTIONS] [--] COMMAND [ARG...]  run COMMAND in a sandbox (sbx exec --help)\n"
    "  policy check|show|list|path [...]     validate and print policies (sbx policy --help)\n"
    "  doctor [--json]                       check what this host supports\n"
    "  rpc [OPTIONS]                         serve sbx.rpc/1 (JSON-RPC) on stdin/stdout\n"
    "  mcp [OPTIONS]                         serve the Model Context Protocol on stdin/stdout\n"
    "  serve [OPTIONS]                       run the sandbox service on a unix socket\n"
    "  rootfs build|list|show|verify|rm      prebuilt language trees (sbx rootfs --help)\n"
    "  selftest [--policy NAME]              try to escape: the escape suite on this host\n"
    "  help                                  show this help\n"
    "  version                               show the version\n"
    "\n"
    "Global options:\n"
    "  -v, --verbose   log what sbx does to stderr (repeat for more)\n"
    "  -q, --quiet     only log errors\n"
    "  -h, --help      show this help\n"
    "      --version   show the version\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  sbx::app::GlobalOptions global;
  size_t i = 0;
  for (; i < args.size() && args[i].size() > 1 && args[i][0] == '-'; ++i) {
    const std::string& a = args[i];
    if (a == "-v" || a == "--verbose") {
      ++global.verbosity;
    } else if (a == "-vv") {
      global.verbosity += 2;
    } else if (a == "-q" || a == "--quiet") {
      global.quiet = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--version") {
      std::puts("sbx " SBX_VERSION);
      return 0;
    } else {
      std::fprintf(stderr, "sbx: error: unknown option %s (global options go before the command; see sbx --help)\n",
                   sbx::one_line(a).c_str());
      return sbx::app::kExitUsage;
    }
  }
  if (i >= args.size()) {
    std::fputs(kUsage, stderr);
    return sbx::app::kExitUsage;
  }
  const std::string command = args[i];
  const std::span<const std::string> rest(args.data() + i + 1, args.size() - i - 1);
  if (command == "exec") return sbx::app::run_exec(rest, global);
  if (command == "doctor") return sbx::app::run_doctor(rest, global);
  if (command == "policy") return sbx::app::run_policy(rest, global);
  if (command == "rpc") return sbx::app::run_rpc(rest, global);
  if (command == "mcp") return sbx::app::run_mcp(rest, global);
  if (command == "serve") return sbx::app::run_serve(rest, global);
  if (command == "rootfs") return sbx::app::run_rootfs(rest, global);
  if (command == "selftest") return sbx::app::run_selftest(rest, global);
  // Not in the usage: only the service front ends start it.
  if (command == sbx::rpc::kStandbyWorkerCommand) return sbx::app::run_standby_worker(rest, global);
  if (command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "version") {
    std::puts("sbx " SBX_VERSION);
    return 0;
  }
  std::fprintf(stderr, "sbx: error: unknown command \"%s\" (commands: exec, policy, doctor, rpc, mcp, serve, rootfs, selftest, help, version)\n",
               sbx::one_line(command).c_str());
  return sbx::app::kExitUsage;
}
