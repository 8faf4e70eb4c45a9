// An MCP server session (stdio transport): initialize/initialized with protocol version
// negotiation, ping, tools/list and tools/call, and notifications/cancelled. Tool calls run
// through the same run manager as sbx.rpc/1, concurrently.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mcp/tools.h"
#include "rpc/line_session.h"
#include "rpc/rpc_session.h"
#include "rpc/service.h"
#include "rpc/stdio_server.h"

namespace sbx::mcp {

// What every tool call gets from the server's flags.
struct McpConfig {
  std::vector<rpc::NameValue> secrets;  // --secret NAME, read from sbx's environment
  std::string policy;                   // --policy
  std::optional<std::string> network;   // --network
  // What the calls will have, from --network or else the policy, and --workspace: what the
  // model is told.
  policy::NetworkMode network_mode = policy::NetworkMode::kNone;
  bool shared_workspace = false;
};

class McpSession final : public rpc::LineSession {
 public:
  McpSession(rpc::Service& service, rpc::Caller caller, McpConfig config, rpc::SendLine send);
  ~McpSession() override;

  void handle_line(const std::string& line) override;
  void handle_oversized(size_t bytes) override;
  void disconnect() override;
  size_t active_runs() const override { return calls_.size(); }

 private:
  void dispatch(const rpc::Incoming& request);
  void initialize(const rpc::Incoming& request);
  void call_tool(const rpc::Incoming& request);
  void cancelled(const rpc::Json& params);
  ToolConfig tool_config() const;

  rpc::Service& service_;
  rpc::Caller caller_;
  McpConfig config_;
  rpc::SendLine send_;
  std::string version_ = std::string(kLatestProtocol);
  std::map<std::string, rpc::RunManager::Ticket> calls_;  // by id_key
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sbx::mcp
