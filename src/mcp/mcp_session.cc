#include "mcp/mcp_session.h"

#include <signal.h>

#include <utility>

namespace sbx::mcp {

using rpc::Incoming;

McpSession::McpSession(rpc::Service& service, rpc::Caller caller, McpConfig config, rpc::SendLine send)
    : service_(service), caller_(std::move(caller)), config_(std::move(config)), send_(std::move(send)) {}

McpSession::~McpSession() { disconnect(); }

void McpSession::disconnect() {
  *alive_ = false;
  service_.runs.cancel_disconnected(std::exchange(calls_, {}));
}

ToolConfig McpSession::tool_config() const {
  ToolConfig c;
  c.languages = service_.languages;
  if (caller_.limits.max_timeout) c.max_timeout = *caller_.limits.max_timeout;
  c.structured = has_structured_content(version_);
  c.network = config_.network_mode;
  c.shared_workspace = config_.shared_workspace;
  return c;
}

void McpSession::handle_oversized(size_t bytes) {
  send_(rpc::error_line(nullptr, rpc::kInvalidRequest,
                        "message of " + std::to_string(bytes) + " bytes is over the limit of " +
                            std::to_string(service_.max_line_bytes) + " bytes; it was skipped"));
}

void McpSession::handle_line(const std::string& line) {
  const Incoming in = rpc::parse_message(line);
  switch (in.kind) {
    case Incoming::Kind::kInvalid:
      send_(in.error_reply);
      return;
    case Incoming::Kind::kResponse:
      return;
    case Incoming::Kind::kNotification:
      if (in.method == "notifications/cancelled") cancelled(in.params);
      // notifications/initialized and anything else: nothing to do.
      return;
    case Incoming::Kind::kRequest:
      dispatch(in);
      return;
  }
}

void McpSession::dispatch(const Incoming& in) {
  if (in.method == "initialize") {
    initialize(in);
  } else if (in.method == "ping") {
    send_(rpc::result_line(in.id, rpc::Json::object()));
  } else if (in.method == "tools/list") {
    send_(rpc::result_line(in.id, tools_list(tool_config())));
  } else if (in.method == "tools/call") {
    call_tool(in);
  } else {
    send_(rpc::error_line(in.id, rpc::kMethodNotFound, "method not found: " + in.method));
  }
}

void McpSession::initialize(const Incoming& in) {
  version_ = negotiate_version(in.params.is_object() ? in.params.value("protocolVersion", rpc::Json(nullptr))
                                                      : rpc::Json(nullptr));
  rpc::Json result = rpc::Json::object();
  result["protocolVersion"] = version_;
  result["capabilities"] = {{"tools", {{"listChanged", false}}}};
  result["serverInfo"] = {{"name", "sbx"}, {"title", "sbx sandbox"}, {"version", SBX_VERSION}};
  result["instructions"] = session_instructions(tool_config());
  send_(rpc::result_line(in.id, std::move(result)));
}

void McpSession::call_tool(const Incoming& in) {
  if (!in.params.is_object() || !in.params.contains("name") || !in.params["name"].is_string()) {
    send_(rpc::error_line(in.id, rpc::kInvalidParams, "invalid params: params.name: the tool's name is required"));
    return;
  }
  const std::string name = in.params["name"].get<std::string>();
  if (!known_tool(name)) {
    send_(rpc::error_line(in.id, rpc::kInvalidParams,
                          "unknown tool \"" + name + "\" (tools: run_code, run_command)"));
    return;
  }
  const rpc::Json arguments = in.params.value("arguments", rpc::Json::object());
  const ToolConfig config = tool_config();
  auto request = request_from_arguments(name, arguments, config);
  if (!request) {
    send_(rpc::result_line(in.id, tool_error(request.error().message)));
    return;
  }
  request->secrets = config_.secrets;
  request->policy = config_.policy;
  request->network = config_.network;
  if (auto [code, message] = rpc::admit_request(*request, service_, caller_); code != 0) {
    send_(rpc::result_line(in.id, tool_error(message)));
    return;
  }
  const std::string key = rpc::id_key(in.id);
  if (calls_.count(key) != 0) {
    send_(rpc::error_line(in.id, rpc::kInvalidRequest, "id " + key + " is already used by a call in progress"));
    return;
  }
  rpc::RunCallbacks callbacks;
  auto alive = alive_;
  callbacks.on_end = [this, alive, id = in.id, key, structured = config.structured](rpc::RunEnd end) {
    if (!*alive) return;
    // A call the client cancelled gets no answer (MCP cancellation).
    if (calls_.erase(key) == 0) return;
    send_(rpc::result_line(id, tool_result(end, structured)));
  };
  auto ticket = service_.runs.submit(std::move(*request), caller_.key(), caller_.limits.max_concurrency,
                                     std::move(callbacks));
  if (!ticket) {
    send_(rpc::result_line(in.id, tool_error("sbx is " + ticket.error().message)));
    return;
  }
  calls_[key] = *ticket;
}

void McpSession::cancelled(const rpc::Json& params) {
  if (!params.is_object() || !params.contains("requestId")) return;
  const auto it = calls_.find(rpc::id_key(params["requestId"]));
  if (it == calls_.end()) return;
  const auto ticket = it->second;
  calls_.erase(it);
  service_.runs.cancel(ticket, SIGTERM, std::chrono::milliseconds(1000), rpc::kCancelled, "cancelled by the client");
}

}  // namespace sbx::mcp
