// `sbx mcp` driven by a client nobody here wrote: the official MCP TypeScript SDK
// (@modelcontextprotocol/sdk, pinned in tests/e2e/mcp_sdk/package-lock.json). It is installed
// once into BUILD/mcp-sdk (or $SBX_MCP_SDK_DIR) by tests/e2e/mcp_sdk/install; without node or
// a reachable npm registry the test is skipped, visibly.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rpc_harness.h"

namespace sbx::test {
namespace {

std::string sdk_dir() {
  const std::string fromenv = env_or("SBX_MCP_SDK_DIR", "");
  if (!fromenv.empty()) return fromenv;
  const std::string binary = sbx_binary();
  return binary.substr(0, binary.rfind('/')) + "/mcp-sdk";
}

// Runs argv to its end with a deadline; returns the exit status (-1 on timeout) and the output.
std::pair<int, std::string> run_to_end(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  Child c(std::move(argv));
  c.close_stdin();
  std::string out;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto l = c.line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!l) break;
    out += *l + "\n";
  }
  const int status = c.wait(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max<Clock::duration>(deadline - Clock::now(), std::chrono::seconds(1))));
  return {status, out + c.stderr_text()};
}

TEST(McpSdkTest, OfficialTypeScriptClientListsToolsAndRunsPythonAndBash) {
  if (::access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "node is not installed (./setup installs nodejs)";
  const std::string dir = sdk_dir();
  const auto [installed, install_log] =
      run_to_end({"/bin/sh", source_dir() + "/tests/e2e/mcp_sdk/install", dir}, std::chrono::seconds(200));
  if (installed == 77) GTEST_SKIP() << "MCP SDK not installed: " << install_log;
  ASSERT_EQ(installed, 0) << install_log;

  const auto [status, output] = run_to_end(
      {"/usr/bin/node", source_dir() + "/tests/e2e/mcp_sdk/client.mjs", dir, sbx_binary()}, std::chrono::seconds(120));
  EXPECT_EQ(status, 0) << output;
  const std::string first_line = output.substr(0, output.find('\n'));
  const Json summary = Json::parse(first_line, nullptr, false);
  ASSERT_TRUE(summary.is_object()) << output;
  EXPECT_EQ(summary["failures"], Json::array()) << output;
  EXPECT_EQ(summary["tools"], (Json{"run_code", "run_command"}));
  EXPECT_EQ(summary["results"]["python"]["stdout"], "42\n");
  EXPECT_EQ(summary["results"]["bash"]["exit_code"], 3);
  EXPECT_EQ(summary["results"]["timeout"]["status"], "timeout");
}

}  // namespace
}  // namespace sbx::test
