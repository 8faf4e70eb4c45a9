// Method dispatch of sbx.rpc/1 and MCP sessions, without starting any worker: every reply is a
// well-formed JSON-RPC message with the right code, and a bad message never stops the next.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mcp/mcp_session.h"
#include "mcp/tools.h"
#include "rpc/rpc_session.h"

namespace sbx::rpc {
namespace {

using ::testing::HasSubstr;

// A service whose admission takes no run at all: `run` requests that pass validation come back
// busy, so no worker is ever started.
class DispatchTest : public ::testing::Test {
 protected:
  DispatchTest() : runs_(loop_, RunSettings{}, Admission{0, 0}), facts_("/bin/false"), service_(loop_, runs_, facts_) {
    service_.languages = {"python", "bash"};
    service_.max_line_bytes = 4096;
    caller_.uid = 1000;
    caller_.gid = 1000;
    caller_.limits.max_timeout = std::chrono::seconds(5);
    session_ = std::make_unique<RpcSession>(
        service_, caller_, [this](std::string line) { sent_.push_back(Json::parse(line)); }, [] { return false; });
  }

  Json ask(const std::string& line) {
    sent_.clear();
    session_->handle_line(line);
    EXPECT_EQ(sent_.size(), 1u) << line;
    return sent_.empty() ? Json() : sent_.back();
  }

  EventLoop loop_;
  RunManager runs_;
  HostFacts facts_;
  Service service_;
  Caller caller_;
  std::unique_ptr<RpcSession> session_;
  std::vector<Json> sent_;
};

TEST_F(DispatchTest, UnknownMethodNamesTheKnownOnes) {
  const Json r = ask(R"({"jsonrpc":"2.0","id":9,"method":"exec"})");
  EXPECT_EQ(r["id"], 9);
  EXPECT_EQ(r["error"]["code"], kMethodNotFound);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("run, cancel, signal, health, capabilities"));
}

TEST_F(DispatchTest, WrongTypesAreInvalidParamsNamingTheField) {
  const Json r = ask(R"({"jsonrpc":"2.0","id":"x","method":"run","params":{"argv":[1]}})");
  EXPECT_EQ(r["id"], "x");
  EXPECT_EQ(r["error"]["code"], kInvalidParams);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("params.argv[0]: expected a string"));
  const Json positional = ask(R"({"jsonrpc":"2.0","id":2,"method":"run","params":["ls"]})");
  EXPECT_EQ(positional["error"]["code"], kInvalidParams);
}

TEST_F(DispatchTest, LanguagesArePassedThroughTheOfferedList) {
  const Json r = ask(R"({"jsonrpc":"2.0","id":1,"method":"run","params":{"language":"ruby","code":"1"}})");
  EXPECT_EQ(r["error"]["code"], kInvalidParams);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("offered: python, bash"));
}

TEST_F(DispatchTest, OverTheCallersLimitsIsForbidden) {
  const Json r = ask(R"({"jsonrpc":"2.0","id":1,"method":"run","params":{"argv":["true"],"limits":{"timeout":60}}})");
  EXPECT_EQ(r["error"]["code"], kForbidden);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("params.limits.timeout"));
}

TEST_F(DispatchTest, NoSlotAndNoQueueIsAnImmediateBusy) {
  const Json r = ask(R"({"jsonrpc":"2.0","id":1,"method":"run","params":{"argv":["true"]}})");
  EXPECT_EQ(r["error"]["code"], kBusy);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("busy"));
  EXPECT_EQ(runs_.in_flight(), 0u);
}

TEST_F(DispatchTest, CancelAndSignalOfUnknownRuns) {
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"cancel","params":{"id":42}})")["result"]["cancelled"], false);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":2,"method":"cancel","params":{}})")["error"]["code"], kInvalidParams);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":3,"method":"cancel","params":{"id":1,"signal":"STOP"}})")["error"]["code"],
            kInvalidParams);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":4,"method":"signal","params":{"id":1,"signal":"USR1"}})")["result"]["delivered"],
            false);
  // Notifications are never answered.
  sent_.clear();
  session_->handle_line(R"({"jsonrpc":"2.0","method":"cancel","params":{"id":1}})");
  session_->handle_line(R"({"jsonrpc":"2.0","method":"run","params":{"argv":["true"]}})");
  // Positional params on a notification have nowhere to send an error, and must not throw
  // (found by tests/fuzz: `sbx rpc` aborted on the signal one).
  session_->handle_line(R"({"jsonrpc":"2.0","method":"signal","params":[]})");
  session_->handle_line(R"({"jsonrpc":"2.0","method":"cancel","params":[1]})");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":5,"method":"signal","params":[1]})")["error"]["code"], kInvalidParams);
}

TEST_F(DispatchTest, HealthAndCapabilities) {
  const Json h = ask(R"({"jsonrpc":"2.0","id":1,"method":"health"})");
  EXPECT_EQ(h["result"]["status"], "ok");
  EXPECT_EQ(h["result"]["protocol"], "sbx.rpc/1");
  const Json c = ask(R"({"jsonrpc":"2.0","id":2,"method":"capabilities"})");
  EXPECT_EQ(c["result"]["protocol"], "sbx.rpc/1");
  EXPECT_EQ(c["result"]["limits"]["max_timeout_ms"], 5000);
  EXPECT_EQ(c["result"]["caller"]["uid"], 1000);
  EXPECT_TRUE(c["result"]["doctor"].contains("error"));  // /bin/false gives no report
  EXPECT_EQ(c["result"]["languages"].size(), 2u);
}

TEST_F(DispatchTest, AStreamOfJunkThenAGoodRequest) {
  sent_.clear();
  for (const char* junk : {"", "{}", "[]", "null", "\"x\"", "{\"jsonrpc\":\"2.0\"}", "}{", "\xff\xfe"}) {
    session_->handle_line(junk);
  }
  session_->handle_oversized(1u << 30);
  for (const auto& reply : sent_) {
    EXPECT_EQ(reply["jsonrpc"], "2.0");
    EXPECT_TRUE(reply.contains("error"));
  }
  EXPECT_THAT(sent_.back()["error"]["message"].get<std::string>(), HasSubstr("over the limit of 4096 bytes"));
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"health"})")["result"]["status"], "ok");
}

class McpDispatchTest : public DispatchTest {
 protected:
  McpDispatchTest() {
    mcp_ = std::make_unique<mcp::McpSession>(service_, caller_, mcp::McpConfig{},
                                             [this](std::string line) { sent_.push_back(Json::parse(line)); });
  }
  Json call(const std::string& line) {
    sent_.clear();
    mcp_->handle_line(line);
    EXPECT_EQ(sent_.size(), 1u) << line;
    return sent_.empty() ? Json() : sent_.back();
  }
  std::unique_ptr<mcp::McpSession> mcp_;
};

TEST_F(McpDispatchTest, NegotiatesTheVersion) {
  for (const auto& [asked, answered] : std::vector<std::pair<std::string, std::string>>{
           {"2025-06-18", "2025-06-18"}, {"2025-03-26", "2025-03-26"}, {"2024-11-05", "2024-11-05"},
           {"2099-01-01", "2025-06-18"}, {"garbage", "2025-06-18"}}) {
    const Json r = call(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" + asked +
                        R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    EXPECT_EQ(r["result"]["protocolVersion"], answered) << asked;
    EXPECT_EQ(r["result"]["serverInfo"]["name"], "sbx");
    EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  }
}

TEST_F(McpDispatchTest, OutputSchemasOnlyFrom20250618) {
  call(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})");
  const Json old_tools = call(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  ASSERT_EQ(old_tools["result"]["tools"].size(), 2u);
  EXPECT_FALSE(old_tools["result"]["tools"][0].contains("outputSchema"));
  call(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"2025-06-18"}})");
  const Json tools = call(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})");
  for (const auto& t : tools["result"]["tools"]) {
    EXPECT_EQ(t["inputSchema"]["type"], "object");
    EXPECT_EQ(t["outputSchema"]["type"], "object");
  }
  EXPECT_EQ(tools["result"]["tools"][0]["inputSchema"]["properties"]["language"]["enum"],
            Json::array({"python", "bash"}));
  EXPECT_EQ(tools["result"]["tools"][0]["inputSchema"]["properties"]["timeout"]["maximum"], 5.0);
}

TEST_F(McpDispatchTest, ToolErrorsAndProtocolErrors) {
  EXPECT_EQ(call(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")["result"], Json::object());
  EXPECT_EQ(call(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"rm_rf","arguments":{}}})")
                ["error"]["code"],
            kInvalidParams);
  EXPECT_EQ(call(R"({"jsonrpc":"2.0","id":3,"method":"resources/list"})")["error"]["code"], kMethodNotFound);
  // Bad arguments are the model's to fix: a tool result with isError, naming the argument.
  const Json bad = call(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"run_code",
                           "arguments":{"language":"python","code":"1","timeout":600}}})");
  EXPECT_EQ(bad["result"]["isError"], true);
  EXPECT_THAT(bad["result"]["content"][0]["text"].get<std::string>(), HasSubstr("arguments.timeout"));
  // An unknown argument is named with the ones the tool takes, so the model can correct itself.
  const Json unknown = call(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"run_command",
                               "arguments":{"command":"ls"}}})");
  EXPECT_EQ(unknown["result"]["isError"], true);
  EXPECT_EQ(unknown["result"]["content"][0]["text"],
            "arguments.command: unknown argument (run_command takes argv, stdin, files, timeout)");
  const Json huge = call(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"run_command",
                            "arguments":{"argv":["echo",")" + std::string(200000, 'x') + R"("]}}})");
  EXPECT_EQ(huge["result"]["isError"], true);
  EXPECT_THAT(huge["result"]["content"][0]["text"].get<std::string>(), HasSubstr("arguments.argv[1]: 200000 bytes"));
  // A language the server does not offer (or none) would reach the run with no command.
  for (const std::string lang : {"ruby", ""}) {
    const Json r = call(R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"run_code",
                           "arguments":{"language":")" + lang + R"(","code":"1"}}})");
    EXPECT_EQ(r["result"]["isError"], true) << lang;
    EXPECT_THAT(r["result"]["content"][0]["text"].get<std::string>(), HasSubstr("arguments.language")) << lang;
  }
  const Json busy = call(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"run_command",
                            "arguments":{"argv":["true"]}}})");
  EXPECT_EQ(busy["result"]["isError"], true);
  EXPECT_THAT(busy["result"]["content"][0]["text"].get<std::string>(), HasSubstr("busy"));
  sent_.clear();
  mcp_->handle_line(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  mcp_->handle_line(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":77}})");
  EXPECT_TRUE(sent_.empty());
}

Json tool_result_of(const char* verdict) {
  RunEnd end;
  end.verdict = Json::parse(verdict);
  return mcp::tool_result(end, /*structured=*/true);
}

TEST(McpToolResultTest, AFailingProgramIsANormalResult) {
  const Json r = tool_result_of(R"({"id":"00ff","status":"exited","exit_code":3,"signal":null,"timed_out":false,
                                    "duration_ms":12.5,"stdout":{"text":"out\n","bytes":4,"truncated":false},
                                    "stderr":{"base64":"/w==","bytes":1,"truncated":true}})");
  EXPECT_EQ(r["isError"], false);
  EXPECT_EQ(r["structuredContent"]["exit_code"], 3);
  EXPECT_EQ(r["structuredContent"]["stdout"], "out\n");
  EXPECT_EQ(r["structuredContent"]["stderr_truncated"], true);
  EXPECT_THAT(r["content"][0]["text"].get<std::string>(), HasSubstr("exit code 3"));
  const Json schema = mcp::run_output_schema();  // a range-for over a temporary's member would dangle
  for (const auto& key : schema["required"]) EXPECT_TRUE(r["structuredContent"].contains(key));

  RunEnd setup;
  setup.verdict = Json::parse(R"({"status":"setup_error","error":{"stage":"exec","message":"exec: x: not found"}})");
  EXPECT_EQ(mcp::tool_result(setup, true)["isError"], true);
  RunEnd failed;
  failed.error_code = kRunFailed;
  failed.error_message = "no user namespaces";
  const Json f = mcp::tool_result(failed, true);
  EXPECT_EQ(f["isError"], true);
  EXPECT_FALSE(f.contains("structuredContent"));
}

TEST(McpToolsTest, DescriptionsSayWhatTheSandboxHas) {
  const auto descriptions = [](const mcp::ToolConfig& config) {
    std::string all;
    const Json list = mcp::tools_list(config);  // a range-for over a temporary's member would dangle
    for (const auto& t : list["tools"]) all += t["description"].get<std::string>() + "\n";
    return all + mcp::session_instructions(config);
  };
  mcp::ToolConfig config;
  const std::string isolated = descriptions(config);
  EXPECT_THAT(isolated, HasSubstr("no network;"));
  EXPECT_THAT(isolated, HasSubstr("a private writable working directory /workspace"));
  EXPECT_THAT(isolated, HasSubstr("Nothing persists between calls."));
  config.network = policy::NetworkMode::kHost;
  config.shared_workspace = true;
  const std::string open = descriptions(config);
  EXPECT_THAT(open, Not(HasSubstr("no network")));
  EXPECT_THAT(open, HasSubstr("the host's network"));
  EXPECT_THAT(open, HasSubstr("shared by every call"));
  EXPECT_THAT(open, Not(HasSubstr("Nothing persists")));
  config.network = policy::NetworkMode::kLoopback;
  EXPECT_THAT(descriptions(config), HasSubstr("no network except its own loopback"));
}

TEST(McpToolResultTest, ASignalIsNamedForTheModel) {
  const Json r = tool_result_of(R"({"id":"00ff","status":"signaled","exit_code":null,"signal":24,"timed_out":false,
                                    "duration_ms":1000,"stdout":{"text":"","bytes":0,"truncated":false},
                                    "stderr":{"text":"","bytes":0,"truncated":false}})");
  EXPECT_EQ(r["structuredContent"]["signal"], 24);
  EXPECT_THAT(r["content"][0]["text"].get<std::string>(), HasSubstr("killed by signal 24 (SIGXCPU)"));
}

}  // namespace
}  // namespace sbx::rpc
