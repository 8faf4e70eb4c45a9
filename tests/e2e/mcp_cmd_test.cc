// `sbx mcp` as configured by its flags: --workspace DIR, one directory shared read-write by every
// call, with a word at start when the sandbox could not write to it (as root, sbx runs sandboxes
// as host uid 65534); and what the model is told the sandbox has, from the flags and the policy.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "host.h"
#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

// An MCP session that writes a file into /workspace and ends.
std::string session_writing(const std::string& name) {
  return R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
         R"("capabilities":{},"clientInfo":{"name":"test","version":"1"}}})"
         "\n"
         R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
         "\n"
         R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_command",)"
         R"("arguments":{"argv":["sh","-c","echo shared > /workspace/)" +
         name + R"("]}}})" + "\n";
}

constexpr char kInitialize[] =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
    R"("capabilities":{},"clientInfo":{"name":"test","version":"1"}}})"
    "\n";

// The server's instructions to the model, from an `sbx mcp FLAGS` session that only initializes.
std::string instructions_of(const std::vector<std::string>& flags) {
  std::vector<std::string> args{"mcp"};
  args.insert(args.end(), flags.begin(), flags.end());
  RunOptions options;
  options.stdin_text = kInitialize;
  const RunResult r = run_sbx(args, options);
  EXPECT_EQ(r.status(), 0) << r;
  const auto reply = nlohmann::json::parse(r.out, nullptr, false);
  if (!reply.is_object() || !reply.contains("result")) return "(no reply: " + r.out + r.err + ")";
  return reply["result"].value("instructions", "");
}

std::string read_host_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(McpWorkspaceTest, CallsWriteIntoTheSharedDirectory) {
  TempDir dir;
  RunOptions options;
  options.stdin_text = session_writing("from-call");
  const RunResult r = run_sbx({"mcp", "--workspace", dir.path()}, options);
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_EQ(read_host_file(dir / "from-call"), "shared\n") << r;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r;
}

TEST(McpWorkspaceTest, ADirectoryTheSandboxCannotWriteIsSaidAtStart) {
  TempDir dir;
  const std::string locked = dir / "locked";
  ASSERT_EQ(::mkdir(locked.c_str(), 0555), 0);
  RunOptions options;
  options.stdin_text = "";
  const RunResult r = run_sbx({"mcp", "--workspace", locked}, options);
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_NE(r.err.find("sbx: warning: mcp: --workspace " + locked + ": the sandbox cannot write to " + locked),
            std::string::npos)
      << r;
  ASSERT_EQ(::chmod(locked.c_str(), 0755), 0);
}

// A model told "no network" under --network host (or a policy that opens the network) would not
// try; told "nothing persists" with a shared workspace, it would send every file again.
TEST(McpInstructionsTest, TheModelIsToldWhatTheSandboxHas) {
  const std::string plain = instructions_of({});
  EXPECT_NE(plain.find("no network;"), std::string::npos) << plain;
  EXPECT_NE(plain.find("Nothing persists between calls."), std::string::npos) << plain;

  EXPECT_NE(instructions_of({"--network", "host"}).find("the host's network"), std::string::npos);
  EXPECT_NE(instructions_of({"--policy", "network"}).find("the host's network"), std::string::npos)
      << "the shipped network policy opens the network";
  EXPECT_NE(instructions_of({"--policy", "network", "--network", "none"}).find("no network;"), std::string::npos)
      << "the flag wins over the policy, as for the runs";
  EXPECT_NE(instructions_of({"--network", "loopback"}).find("its own loopback"), std::string::npos);

  TempDir dir;
  const std::string shared = instructions_of({"--workspace", dir.path()});
  EXPECT_NE(shared.find("shared by every call"), std::string::npos) << shared;
  EXPECT_NE(shared.find("Files in /workspace persist from call to call"), std::string::npos) << shared;
}

}  // namespace
}  // namespace sbx::e2e
