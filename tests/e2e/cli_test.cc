// The command line as a contract: bad input is exit 125 with exactly one "sbx: error:" line on
// stderr and nothing on stdout; help and version go to stdout; option parsing stops at the
// command.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "host.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

struct BadCommandLine {
  const char* why;
  std::vector<std::string> args;  // after "sbx"
};

const BadCommandLine kBad[] = {
    {"unknown exec option", {"exec", "--bogus", "--", "true"}},
    {"unknown global option", {"--bogus", "exec", "--", "true"}},
    {"unknown command", {"bogus"}},
    {"no command to run", {"exec"}},
    {"non-numeric uid", {"exec", "--uid", "abc", "--", "true"}},
    {"negative gid", {"exec", "--gid", "-1", "--", "true"}},
    {"uid missing its value", {"exec", "--uid"}},
    {"unknown network mode", {"exec", "--network", "bridge", "--", "true"}},
    {"volume without a guest path", {"exec", "-v", "relative", "--", "true"}},
    {"relative guest path", {"exec", "-v", "/tmp:relative", "--", "true"}},
    {"missing host path", {"exec", "-v", "/nonexistent-sbx-e2e:/x", "--", "true"}},
    {"bad volume mode", {"exec", "-v", "/tmp:/x:rx", "--", "true"}},
    {"volume over /proc", {"exec", "-v", "/tmp:/proc", "--", "true"}},
    {"relative tmpfs", {"exec", "--tmpfs", "relative", "--", "true"}},
    {"bad tmpfs size", {"exec", "--tmpfs", "/x:size=lots", "--", "true"}},
    {"unknown ulimit", {"exec", "--ulimit", "bogus=1", "--", "true"}},
    {"bad ulimit value", {"exec", "--ulimit", "nofile=many", "--", "true"}},
    {"bad landlock mode", {"exec", "--landlock", "maybe", "--", "true"}},
    {"bad seccomp mode", {"exec", "--seccomp", "maybe", "--", "true"}},
    {"relative workdir", {"exec", "-w", "relative", "--", "true"}},
    {"missing env file", {"exec", "--env-file", "/nonexistent-sbx-e2e", "--", "true"}},
    {"bad variable name", {"exec", "-e", "1A=b", "--", "true"}},
    {"empty hostname", {"exec", "--hostname", "", "--", "true"}},
    {"hostname too long", {"exec", "--hostname", std::string(65, 'a'), "--", "true"}},
    {"missing rootfs", {"exec", "--rootfs", "/nonexistent-sbx-e2e", "--", "true"}},
    {"two volumes at one target", {"exec", "-v", "/tmp:/data", "-v", "/usr:/data", "--", "true"}},
    // Found by tests/fuzz/fuzz_cli: policy show printed a policy no loader accepts.
    {"policy show with two volumes at one target", {"policy", "show", "default", "-v", "/tmp:/data", "-v", "/usr:/data"}},
    // Outside text quoted in the message can neither add a line nor reach the terminal raw.
    {"exec option with a newline and an escape", {"exec", "--bo\ngus\x1b[2J", "--", "true"}},
    {"global option with a newline", {"--bo\nsbx: error: forged", "exec", "--", "true"}},
    {"command with a newline", {"bo\ngus\x1b]0;title\x07"}},
    {"variable name with a carriage return", {"exec", "-e", "A\r=b", "--", "true"}},
};

class BadCommandLineTest : public ::testing::TestWithParam<BadCommandLine> {};

TEST_P(BadCommandLineTest, Exits125WithOneErrorLine) {
  const RunResult r = run_sbx(GetParam().args);
  EXPECT_EQ(r.status(), 125) << GetParam().why << r;
  EXPECT_EQ(r.out, "") << GetParam().why << r;
  const auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << GetParam().why << r;
  EXPECT_EQ(err[0].rfind("sbx: error: ", 0), 0u) << GetParam().why << r;
  EXPECT_EQ(r.err.find_first_of("\x1b\r\x07"), std::string::npos) << GetParam().why << r;
}

std::string case_name(const ::testing::TestParamInfo<BadCommandLine>& param) {
  std::string name = param.param.why;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Cli, BadCommandLineTest, ::testing::ValuesIn(kBad), case_name);

TEST(CliTest, HelpAndVersionGoToStdout) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"help"}, {"exec", "--help"}, {"--version"}}) {
    const RunResult r = run_sbx(args);
    EXPECT_EQ(r.status(), 0) << r;
    EXPECT_FALSE(r.out.empty()) << r;
    EXPECT_EQ(r.err, "") << r;
  }
  EXPECT_NE(run_sbx({"exec", "--help"}).out.find("sbx exec [OPTIONS]"), std::string::npos);
}

TEST(CliTest, SuccessfulRunIsSilent) {
  const RunResult r = run_sbx({"exec", "--", "true"});
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err, "") << r;
}

TEST(CliTest, OptionParsingStopsAtTheCommand) {
  // --uid after the command word belongs to the program, not to sbx.
  const std::string dir = probe_binary().substr(0, probe_binary().rfind('/'));
  const RunResult r = run_sbx({"exec", "-v", dir + ":/probe:ro", probe_in_sandbox(), "ids", "--uid", "0"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(key_values(r.out).at("uid"), "1000") << r;
}

TEST(CliTest, GlobalFlagsGoBeforeTheCommand) {
  EXPECT_TRUE(Succeeded(run_sbx({"-q", "exec", "--", "true"})));
  const RunResult verbose = run_sbx({"-v", "exec", "--", "true"});
  EXPECT_EQ(verbose.status(), 0) << verbose;
  EXPECT_NE(verbose.err.find("sbx: "), std::string::npos) << "-v logs to stderr" << verbose;
  EXPECT_EQ(verbose.out, "") << verbose;
  const RunResult exec_verbose = run_sbx({"exec", "--verbose", "--", "true"});
  EXPECT_EQ(exec_verbose.status(), 0) << exec_verbose;
  EXPECT_EQ(exec_verbose.out, "") << exec_verbose;
}

}  // namespace
}  // namespace sbx::e2e
