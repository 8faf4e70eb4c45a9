// The `run` method's parameters, checked field by field. Every error names the field as the
// client wrote it ("params.files[2].path: ..."). Pure: nothing here touches the system.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "rpc/jsonrpc.h"

namespace sbx::rpc {

struct WorkspaceFile {
  std::string path;  // relative to /workspace, normalised, never climbing out
  std::string content;
  bool executable = false;
};

struct RunLimits {
  std::optional<std::chrono::nanoseconds> timeout;
  std::optional<std::chrono::nanoseconds> kill_after;
  std::optional<std::chrono::nanoseconds> cpu_time;
  std::optional<uint64_t> output_limit;
  std::optional<std::string> on_output_limit;  // "truncate" | "kill"
  std::optional<uint64_t> memory;
  std::optional<uint64_t> pids;
  std::optional<double> cpus;
  std::optional<std::string> cgroup;  // "required" | "best-effort"
};

using NameValue = std::pair<std::string, std::string>;

struct RunRequest {
  // Exactly one of argv and language+code.
  std::vector<std::string> argv;
  std::string language;
  std::string code;

  std::string stdin_data;
  std::vector<WorkspaceFile> files;
  std::vector<NameValue> env;
  std::vector<NameValue> secrets;  // injected as variables and redacted from the output

  std::string policy;  // empty: the default
  std::string rootfs;  // empty: the host's
  std::optional<std::string> workdir;
  std::optional<std::string> network;  // "none" | "host"
  std::optional<std::string> hostname;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  bool read_only = false;
  std::vector<std::string> tmpfs;    // --tmpfs specs
  std::vector<std::string> ulimits;  // --ulimit specs
  std::optional<std::string> landlock;  // "required" | "best-effort"
  std::optional<std::string> seccomp;
  RunLimits limits;

  bool stream = false;  // send run.output notifications, then the verdict without the output
};

// Bounds on what one request may carry (the line-size limit bounds the total as well).
struct RequestBounds {
  size_t max_argv = 4096;
  size_t max_files = 1024;
  size_t max_file_bytes = 64u << 20;  // all files together
  size_t max_stdin_bytes = 16u << 20;
  size_t max_env = 1024;
};

Result<RunRequest> parse_run_params(const Json& params, const RequestBounds& bounds = {});

// The program's arguments and environment (secrets included) reach it through execve(2), which
// refuses one string of 128 KiB or more and all of them together beyond a quarter of the stack
// limit (2 MiB with the usual 8 MiB). A request over either is refused by field (`prefix` is
// "params" or "arguments") instead of its run failing to start.
inline constexpr size_t kMaxExecStringBytes = 128 * 1024 - 1;  // without the NUL
inline constexpr size_t kMaxExecTotalBytes = 1u << 20;         // leaves room for the worker's flags
Status check_exec_size(const RunRequest& request, std::string_view prefix);

// Field-level helpers shared with the MCP tool arguments.
Result<std::chrono::nanoseconds> parse_duration_field(const Json& value, const std::string& path);
Result<uint64_t> parse_size_field(const Json& value, const std::string& path);
Result<std::vector<WorkspaceFile>> parse_files_field(const Json& value, const std::string& path,
                                                     const RequestBounds& bounds);
Result<std::string> normalize_workspace_path(std::string_view path);

}  // namespace sbx::rpc
