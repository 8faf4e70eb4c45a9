// Policy files written by the tests themselves: each seccomp and mount field proven to change
// what the program can do (allow/deny pairs against the same command), and the verdict naming
// the policy that governed the run by name and content hash.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy_runner.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class PolicyRules : public ::testing::Test {
 protected:
  // Writes `yaml` as NAME.yaml in the scratch directory and returns its path.
  std::string policy_file(const std::string& name, const std::string& yaml) {
    const std::string path = dir_ / (name + ".yaml");
    std::ofstream(path) << yaml;
    return path;
  }

  // sbx-probe ARGS under the policy in `file` (empty: no --policy).
  RunResult probe_under(const std::string& file, const std::vector<std::string>& probe_args) {
    RunOptions options;
    options.env = {"SBX_POLICY_PATH=" + policies_dir()};
    std::vector<std::string> flags;
    if (!file.empty()) flags = {"--policy", file};
    return run_probe(flags, probe_args, options);
  }

  TempDir dir_;
};

TEST_F(PolicyRules, SeccompAllowTakesASyscallOffTheDefaultDenyList) {
  const RunResult denied = probe_under("", {"try-syscall", "add-key"});
  EXPECT_TRUE(FailedWith(denied, {EPERM}));
  const RunResult allowed = probe_under(policy_file("keys", "seccomp:\n  allow: [add_key]\n"), {"try-syscall", "add-key"});
  EXPECT_TRUE(Succeeded(allowed)) << allowed;
}

TEST_F(PolicyRules, SeccompDenySocketFamiliesRefusesOnlyThoseFamilies) {
  const std::string file = policy_file("nonetlink", "seccomp:\n  deny_socket_families: [AF_NETLINK]\n");
  EXPECT_TRUE(Succeeded(probe_under("", {"try-syscall", "socket-netlink-route"})));
  EXPECT_TRUE(FailedWith(probe_under(file, {"try-syscall", "socket-netlink-route"}), {EPERM}));
  EXPECT_TRUE(Succeeded(probe_under(file, {"udp-self"}))) << "AF_INET is still allowed";
}

TEST_F(PolicyRules, SeccompDenyByNameWithEachDenyAction) {
  const std::string mkdir = "mkdir /tmp/made && echo made";
  const RunResult allowed = run_sbx_with_policies({"exec", "--", "sh", "-c", mkdir});
  EXPECT_EQ(allowed.status(), 0) << allowed;
  EXPECT_EQ(allowed.out, "made\n");

  const std::string errno_file = policy_file("nomkdir", "seccomp:\n  deny: [mkdir, mkdirat]\n");
  const RunResult refused = run_sbx_with_policies({"exec", "--policy", errno_file, "--", "sh", "-c", mkdir});
  EXPECT_EQ(refused.status(), 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("Operation not permitted"));
  EXPECT_EQ(refused.out, "");

  const std::string kill_file =
      policy_file("killmkdir", "seccomp:\n  deny: [mkdir, mkdirat]\n  deny_action: kill\n");
  const RunResult killed = run_sbx_with_policies({"exec", "--policy", kill_file, "--", "mkdir", "/tmp/made"});
  EXPECT_EQ(killed.status(), 128 + SIGSYS) << killed;
}

TEST_F(PolicyRules, MountsFollowTheirReadOnlyField) {
  const std::string data = dir_ / "data";
  std::filesystem::create_directory(data);
  std::filesystem::permissions(data, std::filesystem::perms::all);
  const auto mount_policy = [&](const std::string& name, bool read_only) {
    return policy_file(name, "filesystem:\n  mounts:\n    - source: " + data + "\n      target: /data\n      read_only: " +
                                 (read_only ? "true" : "false") + "\n");
  };
  const std::string write = "echo hi > /data/out && echo wrote";
  const RunResult ro = run_sbx_with_policies({"exec", "--policy", mount_policy("ro", true), "--", "sh", "-c", write});
  EXPECT_NE(ro.status(), 0) << ro;
  EXPECT_FALSE(std::filesystem::exists(data + "/out"));
  const RunResult rw = run_sbx_with_policies({"exec", "--policy", mount_policy("rw", false), "--", "sh", "-c", write});
  EXPECT_EQ(rw.status(), 0) << rw;
  EXPECT_EQ(rw.out, "wrote\n");
  EXPECT_TRUE(std::filesystem::exists(data + "/out"));
}

TEST_F(PolicyRules, UnknownKeyIsOneLineExit125NamingTheLineAndKey) {
  const std::string file = policy_file("typo", "extends: strict\nnetwork: none\nnetwrok: host\n");
  const RunResult r = run_sbx_with_policies({"exec", "--policy", file, "--", "true"});
  EXPECT_EQ(r.status(), 125);
  EXPECT_THAT(r.err, StartsWith("sbx: error: "));
  EXPECT_THAT(r.err, HasSubstr(file + ":3:"));
  EXPECT_THAT(r.err, HasSubstr("unknown key \"netwrok\""));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// The hash in the verdict is the one `sbx policy show NAME [FLAGS] --json` prints the text of.
TEST_F(PolicyRules, VerdictNamesThePolicyAndItsHash) {
  struct Case {
    std::vector<std::string> policy_flags;
    std::string name;
  };
  std::vector<std::string> seen_hashes;
  for (const Case& c : std::vector<Case>{{{}, "default"},
                                         {{"--policy", "strict"}, "strict"},
                                         {{"--policy", "strict", "--network", "host"}, "strict"},
                                         {{"--policy", "python"}, "python"}}) {
    std::vector<std::string> exec = {"exec", "--json"};
    exec.insert(exec.end(), c.policy_flags.begin(), c.policy_flags.end());
    exec.insert(exec.end(), {"--", "true"});
    const RunResult run = run_sbx_with_policies(exec);
    ASSERT_EQ(run.status(), 0) << run;
    const auto verdict = nlohmann::json::parse(run.out);
    EXPECT_EQ(verdict["policy"]["name"], c.name);

    std::vector<std::string> show = {"policy", "show"};
    for (const auto& f : c.policy_flags) {
      if (f != "--policy") show.push_back(f);
    }
    show.push_back("--json");
    const RunResult shown = run_sbx_with_policies(show);
    ASSERT_EQ(shown.status(), 0) << shown;
    ASSERT_FALSE(shown.out.empty());
    const std::string canonical = shown.out.substr(0, shown.out.size() - 1);  // without the newline
    EXPECT_EQ(verdict["policy"]["sha256"], sha256_of(canonical)) << "for " << run.command;
    seen_hashes.push_back(verdict["policy"]["sha256"]);
  }
  std::sort(seen_hashes.begin(), seen_hashes.end());
  EXPECT_EQ(std::unique(seen_hashes.begin(), seen_hashes.end()), seen_hashes.end())
      << "a flag over a policy, or another policy, must change the hash";
}

}  // namespace
}  // namespace sbx::e2e
