// `sbx exec --policy`: the policy is the base, the flags override it, the request records which
// policy (by content hash) governs the run, and the caller's values are filled in last.
#include <sys/resource.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/exec_options.h"
#include "policy/defaults.h"
#include "policy/search_path.h"
#include "policy/serialize.h"
#include "rootfs/manifest.h"

namespace sbx::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ExecPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sbx-exec-policy.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    env_["SBX_POLICY_PATH"] = dir_;
    env_["TERM"] = "xterm-test";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void write_policy(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name + ".yaml") << text;
  }

  CallerContext caller(const std::string& cwd = "/") const {
    CallerContext c;
    c.cwd = cwd;
    c.getenv = [env = env_](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    return c;
  }

  Result<ExecRequest> parse(std::vector<std::string> args, const std::string& cwd = "/") const {
    return parse_exec(args, caller(cwd));
  }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

std::string env_value(const policy::Policy& p, const std::string& name) {
  for (const auto& e : p.env) {
    if (e.name == name) return e.value;
  }
  return "<unset>";
}

uint64_t soft_limit(const policy::Policy& p, int resource) {
  for (const auto& r : p.rlimits) {
    if (r.resource == resource) return r.soft;
  }
  return 0;
}

TEST_F(ExecPolicyTest, WithoutAPolicyTheBuiltInDefaultGoverns) {
  auto r = parse({"true"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const policy::Policy& p = r->policy;
  EXPECT_EQ(r->policy_name, "default");
  EXPECT_EQ(r->policy_sha256(), policy::policy_sha256(policy::default_policy()));
  EXPECT_EQ(env_value(p, "PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_EQ(env_value(p, "HOME"), "/tmp");
  EXPECT_EQ(env_value(p, "USER"), "sandbox");
  EXPECT_EQ(env_value(p, "LOGNAME"), "sandbox");
  EXPECT_EQ(env_value(p, "LANG"), "C.UTF-8");
  EXPECT_EQ(env_value(p, "TERM"), "xterm-test");
  EXPECT_EQ(soft_limit(p, RLIMIT_NOFILE), 1024u);
  EXPECT_EQ(p.workdir, "/");  // cwd "/" mounts no workspace
  EXPECT_TRUE(p.workspace_source.empty());
  auto in_tmp = parse({"true"}, "/tmp");
  ASSERT_TRUE(in_tmp.has_value()) << in_tmp.error().message;
  EXPECT_EQ(in_tmp->policy.workspace_source, "/tmp");
  EXPECT_EQ(in_tmp->policy.workdir, "/workspace");
  EXPECT_EQ(in_tmp->policy_sha256(), r->policy_sha256()) << "the caller's directory is not part of the policy";
}

TEST_F(ExecPolicyTest, ThePolicyIsTheBaseAndFlagsOverrideIt) {
  write_policy("base",
               "filesystem:\n  read_only: true\n  mounts:\n    - {source: /tmp, target: /data}\n"
               "    - {source: /tmp, target: /keep}\n"
               "environment:\n  set: {FOO: policy, BAR: policy}\n"
               "rlimits: {nofile: 64, nproc: 30}\n"
               "limits: {timeout: 10s, output: 2m}\n");
  auto r = parse({"--network", "host", "--policy", "base", "--timeout", "3s", "--ulimit", "nofile=32", "-e", "FOO=flag",
                  "-v", "/etc:/data:ro", "--", "true"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const policy::Policy& p = r->policy;
  EXPECT_EQ(r->policy_name, "base");
  EXPECT_EQ(p.network, policy::NetworkMode::kHost);              // flag before --policy still wins
  EXPECT_EQ(p.limits.timeout, std::chrono::seconds(3));          // flag
  EXPECT_EQ(p.limits.output_limit_bytes, 2u << 20);              // policy
  EXPECT_EQ(soft_limit(p, RLIMIT_NOFILE), 32u);                  // flag
  EXPECT_EQ(soft_limit(p, RLIMIT_NPROC), 30u);                   // policy
  EXPECT_EQ(env_value(p, "FOO"), "flag");
  EXPECT_EQ(env_value(p, "BAR"), "policy");
  EXPECT_TRUE(p.read_only);
  ASSERT_EQ(p.binds.size(), 2u);
  EXPECT_EQ(p.binds[0].target, "/keep");  // the policy's, kept, before the flags'
  EXPECT_EQ(p.binds[1].target, "/data");
  EXPECT_EQ(p.binds[1].source, "/etc");   // the flag replaced the policy's /data
  EXPECT_EQ(p.argv, (std::vector<std::string>{"true"}));
}

// A policy may name a built tree: it is looked up in the stores as --rootfs NAME is, the policy
// stays the one --policy named (not the tree's recipe policy), and the hash is of the name.
TEST_F(ExecPolicyTest, APolicyNamesABuiltTree) {
  const std::string store = dir_ + "/store";
  std::filesystem::create_directories(store + "/mytree/root");
  rootfs::Manifest manifest;
  manifest.name = "mytree";
  manifest.commands = {"mytool"};
  manifest.policy = "recipe-policy";
  std::ofstream(store + "/mytree/manifest.json") << rootfs::manifest_to_json(manifest);
  env_["SBX_ROOTFS_STORE"] = store;
  write_policy("treed", "rootfs: mytree\n");
  auto r = parse({"--policy", "treed", "--", "mytool"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->policy.rootfs, store + "/mytree/root");
  EXPECT_EQ(r->policy_name, "treed");
  EXPECT_EQ(r->rootfs.note, "tree \"mytree\" (" + store + "/mytree/root), the rootfs of --policy treed");
  EXPECT_EQ(r->policy_as_written.rootfs, "mytree") << "the hash is of the name, not of this host's path";
  auto loaded = policy::load_policy("treed", policy::policy_search_path(caller().getenv), "/");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  auto shown = apply_exec_flags(loaded->policy, std::vector<std::string>{}, caller());
  ASSERT_TRUE(shown.has_value()) << shown.error().message;
  EXPECT_EQ(policy::policy_sha256(*shown), r->policy_sha256()) << "as sbx policy show treed --json hashes it";

  auto host = parse({"--policy", "treed", "--rootfs", "host", "--", "mytool"});
  ASSERT_TRUE(host.has_value()) << host.error().message;
  EXPECT_EQ(host->policy.rootfs, "host") << "--rootfs wins over the policy";

  write_policy("missing", "rootfs: nosuch\n");
  auto missing = parse({"--policy", "missing", "--", "true"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message,
              StartsWith("--policy missing: rootfs nosuch: no tree named \"nosuch\" in " + store +
                         " (build it with: sbx rootfs build nosuch)"));
}

TEST_F(ExecPolicyTest, TheHashCoversTheFlagsAndMatchesPolicyShow) {
  write_policy("base", "network: none\n");
  auto plain = parse({"--policy", "base", "true"});
  auto opened = parse({"--policy", "base", "--network", "host", "true"});
  ASSERT_TRUE(plain.has_value() && opened.has_value());
  EXPECT_NE(plain->policy_sha256(), opened->policy_sha256());
  auto base = policy::default_policy();
  base.name = "base";
  auto shown = apply_exec_flags(base, std::vector<std::string>{"--network", "host"}, caller());
  ASSERT_TRUE(shown.has_value()) << shown.error().message;
  EXPECT_EQ(policy::policy_sha256(*shown), opened->policy_sha256());
  EXPECT_EQ(plain->policy_sha256(), policy::policy_sha256(base));
}

TEST_F(ExecPolicyTest, ABadPolicyIsAOneLineErrorWithFileLineAndPath) {
  write_policy("bad", "network: none\nfilesystem:\n  tmpfs:\n    - target: cache\n");
  auto r = parse({"--policy", "bad", "true"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "--policy bad: " + dir_ +
                                   "/bad.yaml:4:15: filesystem.tmpfs[0].target: \"cache\" is not an absolute path (it "
                                   "must start with /)");
  auto missing = parse({"--policy", "nosuch", "true"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, StartsWith("--policy nosuch: no policy named \"nosuch\""));
}

TEST_F(ExecPolicyTest, CallerValuesAreFilledInLast) {
  write_policy("p", "environment:\n  pass: [TERM, ABSENT]\nsecrets:\n  pass: [API_TOKEN]\n  redact_env: [DB_PW, UNSET]\n");
  env_["API_TOKEN"] = "token-value-123";
  env_["DB_PW"] = "password-456";
  auto r = parse({"--policy", "p", "true"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const policy::Policy& p = r->policy;
  EXPECT_EQ(env_value(p, "TERM"), "xterm-test");
  EXPECT_EQ(env_value(p, "ABSENT"), "<unset>");
  EXPECT_EQ(env_value(p, "API_TOKEN"), "token-value-123");  // passed in, and redacted
  EXPECT_EQ(env_value(p, "DB_PW"), "<unset>");              // only redacted
  ASSERT_EQ(p.secrets.size(), 2u);
  EXPECT_TRUE(p.secrets[0].inject);
  EXPECT_FALSE(p.secrets[1].inject);
  EXPECT_EQ(p.secrets[1].value, "password-456");

  env_.erase("API_TOKEN");
  auto unset = parse({"--policy", "p", "true"});
  ASSERT_FALSE(unset.has_value());
  EXPECT_THAT(unset.error().message, HasSubstr("secrets.pass: API_TOKEN is not set in your environment"));
}

TEST_F(ExecPolicyTest, AFlagSetVariableIsNoLongerPassed) {
  auto r = parse({"-e", "TERM=dumb", "true"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(env_value(r->policy, "TERM"), "dumb");
}

TEST_F(ExecPolicyTest, IdentityAndWorkspaceFromThePolicy) {
  write_policy("root", "identity: {uid: 0, gid: 0}\nworkspace: {mount: false}\n");
  auto r = parse({"--policy", "root", "true"}, "/tmp");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->policy.user_name, "root");
  EXPECT_EQ(env_value(r->policy, "USER"), "root");
  EXPECT_TRUE(r->policy.workspace_source.empty());
  EXPECT_EQ(r->policy.workdir, "/");
  auto back = parse({"--policy", "root", "--uid", "1000", "true"});
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->policy.user_name, "sandbox");
  EXPECT_EQ(back->policy.gid, 1000u) << "root's group went with root";

  write_policy("staff", "identity: {uid: 1000, gid: 50}\n");
  auto staff = parse({"--policy", "staff", "--uid", "0", "true"});
  ASSERT_TRUE(staff.has_value()) << staff.error().message;
  EXPECT_EQ(staff->policy.gid, 50u) << "a gid the policy chose stays";
}

TEST_F(ExecPolicyTest, MountSourcesAreResolvedAtRunTimeWithTheirOrigin) {
  write_policy("m", "filesystem:\n  mounts:\n    - {source: /nonexistent/sbx-test, target: /data}\n");
  auto r = parse({"--policy", "m", "true"});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr(dir_ + "/m.yaml:3:7: filesystem.mounts[0]: host path /nonexistent/sbx-test"));
  // Showing the policy does not need the source to exist.
  auto shown = apply_exec_flags(policy::default_policy(), std::vector<std::string>{}, caller());
  EXPECT_TRUE(shown.has_value());
}

TEST_F(ExecPolicyTest, ShowTakesFlagsButNoCommand) {
  auto shown = apply_exec_flags(policy::default_policy(), std::vector<std::string>{"--read-only", "true"}, caller());
  ASSERT_FALSE(shown.has_value());
  EXPECT_THAT(shown.error().message, HasSubstr("\"true\""));
}

TEST_F(ExecPolicyTest, ShowTakesThePolicyOnlyAsItsFirstArgument) {
  auto shown = apply_exec_flags(policy::default_policy(), std::vector<std::string>{"--policy", "strict"}, caller());
  ASSERT_FALSE(shown.has_value());
  EXPECT_THAT(shown.error().message, HasSubstr("name the policy first"));
}

// Each shipped policy's comment shows how to run with it: the example must be a command line
// sbx accepts (flags that exist, a policy that loads).
TEST_F(ExecPolicyTest, TheShippedPoliciesExamplesParse) {
  const char* source = std::getenv("SBX_SOURCE_DIR");
  const std::string shipped = std::string(source != nullptr ? source : SBX_SOURCE_DIR) + "/policies";
  env_["SBX_POLICY_PATH"] = shipped;
  size_t examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shipped)) {
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      const size_t at = line.find("sbx exec ");
      if (line.rfind("#", 0) != 0 || at == std::string::npos) continue;
      std::istringstream words(line.substr(at + 9));
      std::vector<std::string> args;
      for (std::string w; words >> w;) args.push_back(w);
      auto r = parse(args, "/tmp");
      EXPECT_TRUE(r.has_value()) << entry.path().filename() << ": " << line << ": " << r.error().message;
      ++examples;
    }
  }
  EXPECT_GE(examples, 10u);
}

}  // namespace
}  // namespace sbx::cli
