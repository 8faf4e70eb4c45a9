// A validated run request -> the command line and environment of its worker, which is this
// same binary running `sbx exec`. Pure. Secret values never appear on the command line or in
// the environment: the worker reads them from descriptor 4 (--secret-file /dev/fd/4), because
// any local user can read another process's command line.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "rpc/run_request.h"

namespace sbx::rpc {

// Descriptors the worker starts with, beyond 0, 1 and 2.
inline constexpr int kWorkerReportFd = 3;   // the verdict, for streamed runs
inline constexpr int kWorkerSecretsFd = 4;  // NAME=VALUE lines

struct WorkerLayout {
  std::string binary = "/proc/self/exe";
  std::string workspace_dir;  // host directory bound read-write at /workspace
  std::string code_dir;       // host directory bound read-only at /run/sbx ("" without code)
  bool secrets = false;       // descriptor 4 carries the secrets
  std::vector<std::string> passthrough_env;  // NAME=VALUE from the server's own environment
  std::string cgroup_parent;                 // the service's delegated cgroup, for runs with limits
};

struct WorkerCommand {
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

// Fails only for an unknown language (the message lists the known ones).
Result<WorkerCommand> build_worker_command(const RunRequest& request, const WorkerLayout& layout);

// The --secret-file format: one NAME=VALUE per line.
std::string secrets_file_content(const std::vector<NameValue>& secrets);

}  // namespace sbx::rpc
