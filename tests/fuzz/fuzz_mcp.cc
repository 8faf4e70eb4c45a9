// The MCP server (`sbx mcp`): any bytes through the line framer into a real McpSession (a
// service that admits no run, so nothing is started). Nothing may crash or throw; every request
// gets exactly one reply, a line of valid JSON-RPC; a tool call's bad arguments come back as a
// tool error naming the argument; version negotiation answers the client's version or the
// newest.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/mcp_session.h"
#include "mcp/tools.h"
#include "session_harness.h"

namespace {

using sbx::fuzz::fail;
using sbx::rpc::Json;

void check_tool_arguments(const sbx::rpc::Incoming& in) {
  if (!in.params.is_object() || !in.params.contains("name") || !in.params["name"].is_string()) return;
  const std::string name = in.params["name"].get<std::string>();
  if (!sbx::mcp::known_tool(name)) return;
  sbx::mcp::ToolConfig config;
  config.languages = {"python", "bash"};
  auto request = sbx::mcp::request_from_arguments(name, in.params.value("arguments", Json::object()), config);
  if (!request) {
    if (request.error().message.rfind("arguments", 0) != 0) fail("a tool argument error that names no argument", request.error().message);
    return;
  }
  if (request->argv.empty() == request->language.empty()) fail("a tool call with both or neither of argv and language", name);
  if (request->limits.timeout && *request->limits.timeout > config.max_timeout) fail("a timeout above the maximum", name);
}

void check_version(const sbx::rpc::Incoming& in) {
  const Json requested = in.params.is_object() ? in.params.value("protocolVersion", Json(nullptr)) : Json(nullptr);
  const std::string version = sbx::mcp::negotiate_version(requested);
  if (version != sbx::mcp::kLatestProtocol && !(requested.is_string() && version == requested.get<std::string>())) {
    fail("negotiated a version the client did not ask for that is not the newest", version);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sbx::fuzz::NoRunService service;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::vector<std::string> sent;
  sbx::mcp::McpSession session(service.service(), service.caller(), sbx::mcp::McpConfig{},
                               [&sent](std::string line) { sent.push_back(std::move(line)); });
  sbx::fuzz::feed_session(session, sent, input);

  for (const auto& frame : sbx::fuzz::frames_of(input)) {
    if (frame.oversized) continue;
    const auto in = sbx::rpc::parse_message(frame.line);
    if (in.kind != sbx::rpc::Incoming::Kind::kRequest) continue;
    if (in.method == "initialize") check_version(in);
    if (in.method == "tools/call") check_tool_arguments(in);
  }
  return 0;
}
