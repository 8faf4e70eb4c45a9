// The environment and context the program starts in: a clean environment, -e and --env-file,
// the working directory and the hostname.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "host.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

std::map<std::string, std::string> environment_of(const RunResult& r) {
  std::map<std::string, std::string> env;
  for (const auto& line : lines(r.out)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

RunOptions with_caller_env(std::vector<std::string> env) {
  RunOptions options;
  options.env = std::move(env);
  return options;
}

TEST(EnvTest, CallerVariablesDoNotLeakIn) {
  const RunResult r = run_probe({}, {"env"}, with_caller_env({"SECRET_TOKEN=hunter2-e2e", "PYTHONPATH=/e2e"}));
  ASSERT_TRUE(Succeeded(r));
  const auto env = environment_of(r);
  EXPECT_EQ(env.count("SECRET_TOKEN"), 0u) << r;
  EXPECT_EQ(r.out.find("hunter2-e2e"), std::string::npos) << r;
  EXPECT_EQ(env.count("PYTHONPATH"), 0u) << r;
  const std::set<std::string> allowed = {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TERM"};
  for (const auto& [name, value] : env) EXPECT_TRUE(allowed.count(name)) << "unexpected " << name << r;
  EXPECT_EQ(env.at("HOME"), "/tmp");
  EXPECT_EQ(env.at("USER"), "sandbox");
  EXPECT_EQ(env.at("LOGNAME"), "sandbox");
  EXPECT_EQ(env.at("LANG"), "C.UTF-8");
  EXPECT_NE(env.at("PATH").find("/usr/bin"), std::string::npos) << r;
}

TEST(EnvTest, EnvFlagWithANameCopiesTheCallersValue) {
  const RunResult r = run_probe({"-e", "SECRET_TOKEN"}, {"env"}, with_caller_env({"SECRET_TOKEN=hunter2-e2e"}));
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(environment_of(r)["SECRET_TOKEN"], "hunter2-e2e") << r;
}

TEST(EnvTest, EnvFlagSetsValuesAndSkipsUnsetNames) {
  ASSERT_EQ(std::getenv("SBX_E2E_UNSET_NAME"), nullptr);
  const RunResult r = run_probe({"-e", "GREETING=hello world", "-e", "EMPTY=", "-e", "SBX_E2E_UNSET_NAME"}, {"env"});
  ASSERT_TRUE(Succeeded(r));
  const auto env = environment_of(r);
  EXPECT_EQ(env.at("GREETING"), "hello world") << r;
  EXPECT_EQ(env.count("EMPTY"), 1u) << r;
  EXPECT_EQ(env.count("SBX_E2E_UNSET_NAME"), 0u) << r;
}

TEST(EnvTest, EnvFileSetsAndCopiesVariables) {
  TempDir dir;
  std::ofstream(dir / "vars.env") << "# a comment\n"
                                     "\n"
                                     "FIRST=one\n"
                                     "WITH_EQUALS=a=b=c\n"
                                     "COPIED\n";
  const RunResult r = run_probe({"--env-file", dir / "vars.env"}, {"env"},
                                with_caller_env({"COPIED=from-caller", "NOT_LISTED=x"}));
  ASSERT_TRUE(Succeeded(r));
  const auto env = environment_of(r);
  EXPECT_EQ(env.at("FIRST"), "one") << r;
  EXPECT_EQ(env.at("WITH_EQUALS"), "a=b=c") << r;
  EXPECT_EQ(env.at("COPIED"), "from-caller") << r;
  EXPECT_EQ(env.count("NOT_LISTED"), 0u) << r;
  EXPECT_EQ(r.out.find("comment"), std::string::npos) << r;
}

TEST(WorkdirTest, DefaultIsWorkspaceAndFlagChangesIt) {
  const RunResult dflt = run_probe({}, {"cwd"});
  ASSERT_TRUE(Succeeded(dflt));
  EXPECT_EQ(dflt.out, "/workspace\n");
  const RunResult tmp = run_probe({"-w", "/tmp"}, {"cwd"});
  ASSERT_TRUE(Succeeded(tmp));
  EXPECT_EQ(tmp.out, "/tmp\n");
  const RunResult tmpfs = run_probe({"--tmpfs", "/scratch", "-w", "/scratch"}, {"cwd"});
  ASSERT_TRUE(Succeeded(tmpfs));
  EXPECT_EQ(tmpfs.out, "/scratch\n");
}

TEST(HostnameTest, DefaultIsSbxAndFlagChangesIt) {
  const RunResult dflt = run_probe({}, {"hostname"});
  ASSERT_TRUE(Succeeded(dflt));
  EXPECT_EQ(dflt.out, "sbx\n");
  const RunResult named = run_probe({"--hostname", "box-7.example"}, {"hostname"});
  ASSERT_TRUE(Succeeded(named));
  EXPECT_EQ(named.out, "box-7.example\n");
  const RunResult etc = run_probe({"--hostname", "box-7.example"}, {"read", "/etc/hostname"});
  ASSERT_TRUE(Succeeded(etc));
  EXPECT_EQ(etc.out, "box-7.example\n");
}

}  // namespace
}  // namespace sbx::e2e
