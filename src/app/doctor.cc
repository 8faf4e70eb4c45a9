// `sbx doctor [--json]`: reports what this host offers sbx exec. Exit 0 when usable, 1 when a
// check is missing, 125 on bad flags.
#include <array>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "cli/option_parser.h"
#include "doctor/doctor.h"

namespace sbx::app {
namespace {

constexpr const char* kDoctorUsage =
    "Usage: sbx doctor [--json]\n"
    "\n"
    "Check whether this host can run sbx exec: user namespaces (and the sysctls or AppArmor\n"
    "setting that block them), Landlock, seccomp, cgroup v2 delegation, the kernel version and\n"
    "the syscalls sbx needs, plus host hardening knobs. Every row that is not ok comes with a fix.\n"
    "\n"
    "Options:\n";

constexpr int kExitNotUsable = 1;

}  // namespace

int run_doctor(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  bool json = false;
  bool help = false;
  const std::array<cli::OptionSpec, 2> specs = {{
      {"json", 0, false, "", "print the report as one JSON object",
       [&json](std::string_view) -> Status {
         json = true;
         return {};
       }},
      {"help", 'h', false, "", "show this help",
       [&help](std::string_view) -> Status {
         help = true;
         return {};
       }},
  }};
  auto operands = cli::parse_options(args, specs);
  if (!operands) {
    spdlog::error("doctor: {}", operands.error().message);
    return kExitUsage;
  }
  if (help) {
    std::fputs(kDoctorUsage, stdout);
    std::fputs(cli::format_option_help(specs).c_str(), stdout);
    return 0;
  }
  if (*operands < args.size()) {
    spdlog::error("doctor: unexpected argument \"{}\" (sbx doctor takes only --json)",
                  args[*operands]);
    return kExitUsage;
  }

  const doctor::Report report = doctor::run_checks();
  if (json) {
    const std::string line = doctor::render_json(report).dump() + "\n";
    std::fputs(line.c_str(), stdout);
  } else {
    std::fputs(doctor::render_text(report).c_str(), stdout);
  }
  return report.usable() ? 0 : kExitNotUsable;
}

}  // namespace sbx::app
