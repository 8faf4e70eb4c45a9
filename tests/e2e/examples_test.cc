// The examples an agent builder copies from must keep working: each is run as shipped.
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

using ::testing::HasSubstr;

TEST(ExamplesTest, PythonRpcClientDrivesSbxRpcWithTheStandardLibrary) {
  RunOptions options;
  options.timeout = std::chrono::seconds(60);
  const RunResult r = run({"/usr/bin/python3", source_dir() + "/examples/rpc_client.py", sbx_binary()}, options);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("protocol: sbx.rpc/1"));
  // The file was placed in the workspace and the secret reached the program, redacted on the way out.
  EXPECT_THAT(r.out, HasSubstr("python: exited 0 'hello from a file [REDACTED:API_KEY]\\n'"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("s3cr3t-value")));
  EXPECT_THAT(r.out, HasSubstr("streamed: [('stdout', 'one\\n'), ('stdout', 'two\\n')] exit code 3"));
}

TEST(ExamplesTest, McpClientConfigurationNamesSbxMcp) {
  std::ifstream in(source_dir() + "/examples/mcp.json");
  ASSERT_TRUE(in) << "examples/mcp.json is missing";
  std::stringstream text;
  text << in.rdbuf();
  const auto config = nlohmann::json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(config.is_object()) << "examples/mcp.json is not JSON";
  const auto& server = config["mcpServers"]["sbx"];
  EXPECT_EQ(server["command"], "sbx");
  ASSERT_TRUE(server["args"].is_array());
  EXPECT_EQ(server["args"][0], "mcp");
  // The flags it shows must be ones sbx mcp accepts: parse them for real (--help ends there).
  std::vector<std::string> argv{"mcp"};
  for (const auto& a : server["args"]) {
    if (a != "mcp") argv.push_back(a.get<std::string>());
  }
  argv.push_back("--help");
  const RunResult r = run_sbx(argv);
  EXPECT_EQ(r.exit_code, 0) << r;
}

}  // namespace
}  // namespace sbx::e2e
