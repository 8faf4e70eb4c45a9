// The MCP tools sbx offers (run_code, run_command): their input and output JSON schemas, the
// mapping of tool arguments to a run request, and of a run's end to a CallToolResult. Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/policy.h"
#include "rpc/jsonrpc.h"
#include "rpc/run_job.h"
#include "rpc/run_request.h"

namespace sbx::mcp {

using rpc::Json;

inline constexpr std::string_view kLatestProtocol = "2025-06-18";

// The client's version if sbx speaks it, else the newest sbx speaks.
std::string negotiate_version(const Json& requested);
// structuredContent and outputSchema arrived with 2025-06-18.
bool has_structured_content(std::string_view version);

struct ToolConfig {
  std::vector<std::string> languages;  // offered, in order
  std::chrono::nanoseconds max_timeout{std::chrono::seconds(30)};
  bool structured = true;
  // What the calls' sandboxes have, for the descriptions a model plans by: telling it "no
  // network" under --network host, or "nothing persists" with a shared --workspace, would be wrong.
  policy::NetworkMode network = policy::NetworkMode::kNone;
  bool shared_workspace = false;
};

// The server's instructions for the model: what every call's sandbox has and what persists.
std::string session_instructions(const ToolConfig& config);

Json tools_list(const ToolConfig& config);
Json run_output_schema();

// Tool arguments -> a run request. Errors are meant for the model: they name the argument.
Result<rpc::RunRequest> request_from_arguments(std::string_view tool, const Json& arguments, const ToolConfig& config);
bool known_tool(std::string_view tool);

// A run's end as a CallToolResult: structuredContent (matching run_output_schema) and a text
// block for a program that ran, however it ended; isError only when sbx could not run it.
Json tool_result(const rpc::RunEnd& end, bool structured);
Json tool_error(const std::string& message);

}  // namespace sbx::mcp
