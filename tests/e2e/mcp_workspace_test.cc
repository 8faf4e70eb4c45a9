// `sbx mcp --workspace DIR`: one directory shared read-write by every call, and a word at start
// when the sandbox could not write to it (as root, sbx runs sandboxes as host uid 65534).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sbx::e2e
