// The systemd units start sbx with fixed arguments: a flag sbx does not take would only show
// as a service that fails to start on a user's machine, so each ExecStart is parsed here.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

std::vector<std::string> exec_start_args(const std::string& unit) {
  std::ifstream in(source_dir() + "/packaging/systemd/" + unit);
  std::string line;
  while (std::getline(in, line)) {
    const std::string prefix = "ExecStart=@SBX_INSTALL_BINDIR@/sbx ";
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream words(line.substr(prefix.size()));
    std::vector<std::string> args;
    for (std::string w; words >> w;) args.push_back(w);
    return args;
  }
  return {};
}

void expect_sbx_accepts(const std::string& unit) {
  std::vector<std::string> args = exec_start_args(unit);
  ASSERT_FALSE(args.empty()) << unit << ": no ExecStart=@SBX_INSTALL_BINDIR@/sbx line";
  // --help after the unit's flags: every flag is parsed and checked, then nothing is started.
  args.push_back("--help");
  const RunResult r = run_sbx(args);
  EXPECT_EQ(r.exit_code, 0) << unit << ": " << r;
}

TEST(PackagingTest, SystemServiceExecStartIsValid) { expect_sbx_accepts("sbx.service.in"); }
TEST(PackagingTest, UserServiceExecStartIsValid) { expect_sbx_accepts("user/sbx.service.in"); }

}  // namespace
}  // namespace sbx::e2e
