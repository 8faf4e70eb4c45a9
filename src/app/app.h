// One function per sbx command. Each returns the process exit status.
#pragma once

#include <span>
#include <string>

namespace sbx::app {

// Exit statuses shared by every command (docker run / timeout(1) conventions).
inline constexpr int kExitUsage = 125;        // sbx itself failed: bad input or setup error
inline constexpr int kExitCannotExec = 126;   // the command exists but cannot be executed
inline constexpr int kExitNotFound = 127;     // the command was not found

struct GlobalOptions {
  int verbosity = 0;
  bool quiet = false;
};

int run_exec(std::span<const std::string> args, const GlobalOptions& global);
int run_doctor(std::span<const std::string> args, const GlobalOptions& global);
int run_policy(std::span<const std::string> args, const GlobalOptions& global);
int run_rpc(std::span<const std::string> args, const GlobalOptions& global);
int run_mcp(std::span<const std::string> args, const GlobalOptions& global);
int run_serve(std::span<const std::string> args, const GlobalOptions& global);
int run_selftest(std::span<const std::string> args, const GlobalOptions& global);
int run_rootfs(std::span<const std::string> args, const GlobalOptions& global);
// A worker of sbx serve, rpc and mcp started ahead of its run (rpc/standby_workers.h).
int run_standby_worker(std::span<const std::string> args, const GlobalOptions& global);

// Configures spdlog: stderr only, warnings by default, -v info, -vv debug, -q errors only.
void setup_logging(int verbosity, bool quiet);

}  // namespace sbx::app
