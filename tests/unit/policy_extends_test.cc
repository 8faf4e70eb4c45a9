// `extends:` (what a child keeps from its parent, what it replaces), cycles and depth, and the
// search path that turns names into files.
#include <sys/resource.h>
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "policy/defaults.h"
#include "policy/load.h"
#include "policy/search_path.h"
#include "policy/serialize.h"

namespace sbx::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class PolicyDirs : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sbx-policy-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  // Writes root/dir/name and returns its path.
  std::string write(const std::string& dir, const std::string& name, const std::string& text) {
    std::filesystem::create_directories(root_ + "/" + dir);
    const std::string path = root_ + "/" + dir + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  Result<LoadedPolicy> load(const std::string& name, std::vector<std::string> dirs = {"a"}) {
    std::vector<SearchDir> search;
    for (const auto& d : dirs) search.push_back({root_ + "/" + d, "test"});
    return load_policy(name, search, root_);
  }

  std::string root_;
};

uint64_t soft_limit(const Policy& p, int resource) {
  for (const auto& r : p.rlimits) {
    if (r.resource == resource) return r.soft;
  }
  return 0;
}

std::string env_value(const Policy& p, const std::string& name) {
  for (const auto& e : p.env) {
    if (e.name == name) return e.value;
  }
  return "<unset>";
}

TEST_F(PolicyDirs, MappingsMergeListsAndValuesReplace) {
  write("a", "parent.yaml",
        "environment:\n  pass: [TERM, EDITOR]\n  set: {A: one, B: two}\n"
        "rlimits: {nofile: 100, nproc: 50}\n"
        "seccomp:\n  deny: [chmod, fchmod]\n  deny_action: log\n"
        "filesystem:\n  mounts:\n    - {source: /srv, target: /srv}\n  tmpfs:\n    - {target: /cache}\n"
        "limits: {timeout: 10s, output: 2m}\n");
  write("a", "child.yaml",
        "extends: parent\n"
        "environment:\n  set: {B: zwei, C: drei}\n"
        "rlimits: {nproc: 5}\n"
        "seccomp:\n  deny: [chown]\n"
        "filesystem:\n  tmpfs: []\n"
        "limits: {output: 4m}\n");
  auto loaded = load("child");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  const Policy& p = loaded->policy;
  EXPECT_EQ(p.name, "child");
  EXPECT_EQ(loaded->chain.size(), 2u);
  // Mappings merge key by key.
  EXPECT_EQ(env_value(p, "A"), "one");
  EXPECT_EQ(env_value(p, "B"), "zwei");
  EXPECT_EQ(env_value(p, "C"), "drei");
  EXPECT_EQ(env_value(p, "PATH"), env_value(default_policy(), "PATH"));  // from the defaults
  EXPECT_EQ(soft_limit(p, RLIMIT_NOFILE), 100u);
  EXPECT_EQ(soft_limit(p, RLIMIT_NPROC), 5u);
  EXPECT_EQ(soft_limit(p, RLIMIT_CORE), 0u);
  // Lists given replace the parent's; lists not given are kept.
  EXPECT_EQ(p.env_pass, (std::vector<std::string>{"TERM", "EDITOR"}));
  EXPECT_EQ(p.seccomp_rules.deny, (std::vector<std::string>{"chown"}));
  EXPECT_EQ(p.seccomp_rules.deny_action, SeccompDenyAction::kLog);
  EXPECT_TRUE(p.tmpfs.empty());
  ASSERT_EQ(p.binds.size(), 1u);
  EXPECT_THAT(p.binds[0].origin, HasSubstr("parent.yaml:10:7: filesystem.mounts[0]"));
  EXPECT_EQ(p.limits.timeout, std::chrono::seconds(10));
  EXPECT_EQ(p.limits.output_limit_bytes, 4u << 20);
}

TEST_F(PolicyDirs, NoneUnsetsAnInheritedLimit) {
  write("a", "parent.yaml", "limits: {timeout: 10s, memory: 1g, pids: 5, cpus: 2}\n");
  write("a", "child.yaml", "extends: parent\nlimits: {timeout: none, memory: ~, pids: null, cpus: }\n");
  auto loaded = load("child");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_FALSE(loaded->policy.limits.timeout.has_value());
  EXPECT_FALSE(loaded->policy.limits.memory_bytes.has_value());
  EXPECT_FALSE(loaded->policy.limits.pids.has_value());
  EXPECT_FALSE(loaded->policy.limits.cpus.has_value());
}

TEST_F(PolicyDirs, AVariableIsPassedOrSetWhicheverCameLast) {
  write("a", "parent.yaml", "environment:\n  pass: [TERM, TOKEN]\n  set: {LANG: C}\n");
  write("a", "sets.yaml", "extends: parent\nenvironment:\n  set: {TOKEN: fixed}\n");
  write("a", "passes.yaml", "extends: parent\nenvironment:\n  pass: [LANG]\n");
  auto sets = load("sets");
  ASSERT_TRUE(sets.has_value()) << sets.error().message;
  EXPECT_EQ(sets->policy.env_pass, (std::vector<std::string>{"TERM"}));
  EXPECT_EQ(env_value(sets->policy, "TOKEN"), "fixed");
  auto passes = load("passes");
  ASSERT_TRUE(passes.has_value()) << passes.error().message;
  EXPECT_EQ(passes->policy.env_pass, (std::vector<std::string>{"LANG"}));
  EXPECT_EQ(env_value(passes->policy, "LANG"), "<unset>");
}

TEST_F(PolicyDirs, MountTargetsMayNotCollideAcrossExtends) {
  write("a", "parent.yaml", "filesystem:\n  mounts:\n    - {source: /srv, target: /data}\n");
  write("a", "child.yaml", "extends: parent\nfilesystem:\n  tmpfs:\n    - target: /data\n");
  auto loaded = load("child");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, StartsWith(root_ + "/a/child.yaml:4:15: filesystem.tmpfs[0].target: /data is "
                                                          "already mounted by " +
                                                 root_ + "/a/parent.yaml:3:7: filesystem.mounts[0]"));
}

TEST_F(PolicyDirs, AnErrorInAParentNamesTheParentFile) {
  write("a", "parent.yaml", "network: none\nlimits:\n  timeout: soon\n");
  write("a", "child.yaml", "extends: parent\n");
  auto loaded = load("child");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, StartsWith(root_ + "/a/parent.yaml:3:12: limits.timeout: invalid duration"));
}

TEST_F(PolicyDirs, CyclesAreFoundAndShown) {
  write("a", "one.yaml", "extends: two\n");
  write("a", "two.yaml", "network: none\nextends: three\n");
  write("a", "three.yaml", "extends: one\n");
  auto loaded = load("one");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, StartsWith(root_ + "/a/three.yaml:1:10: extends: makes a cycle: "));
  EXPECT_THAT(loaded.error().message, HasSubstr("one.yaml -> " + root_ + "/a/two.yaml -> " + root_ +
                                                "/a/three.yaml -> " + root_ + "/a/one.yaml"));
}

TEST_F(PolicyDirs, ExtendingItselfByPathIsACycle) {
  write("a", "self.yaml", "extends: ./self.yaml\n");
  auto loaded = load("self");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, HasSubstr("self.yaml:1:10: extends: makes a cycle"));
}

TEST_F(PolicyDirs, DepthIsBounded) {
  for (int i = 0; i < 30; ++i) write("a", "p" + std::to_string(i) + ".yaml", "extends: p" + std::to_string(i + 1) + "\n");
  write("a", "p30.yaml", "network: none\n");
  auto loaded = load("p0");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, HasSubstr("extends: goes deeper than 16 policies"));
  auto shallow = load("p20");
  EXPECT_TRUE(shallow.has_value()) << shallow.error().message;
}

TEST_F(PolicyDirs, AMissingParentIsAnErrorAtTheExtendsLine) {
  write("a", "child.yaml", "network: none\nextends: nowhere\n");
  auto loaded = load("child");
  ASSERT_FALSE(loaded.has_value());
  EXPECT_THAT(loaded.error().message, StartsWith(root_ + "/a/child.yaml:2:10: extends: no policy named \"nowhere\""));
}

TEST_F(PolicyDirs, RelativeExtendsIsRelativeToTheExtendingFile) {
  write("lib", "base.yaml", "network: host\n");
  write("a", "child.yaml", "extends: ../lib/base.yaml\n");
  auto loaded = load("child");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->policy.network, NetworkMode::kHost);
}

TEST_F(PolicyDirs, APolicyCanExtendTheOneItShadows) {
  write("system", "python.yaml", "limits: {timeout: 10m}\nnetwork: none\n");
  write("user", "python.yaml", "extends: python\nlimits: {timeout: 1m}\n");
  auto loaded = load("python", {"user", "system"});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->policy.limits.timeout, std::chrono::minutes(1));
  EXPECT_THAT(loaded->chain, ElementsAre(root_ + "/user/python.yaml", root_ + "/system/python.yaml"));
}

TEST_F(PolicyDirs, TheFirstDirectoryWithTheNameWins) {
  write("first", "p.yaml", "network: host\n");
  write("second", "p.yaml", "network: none\n");
  write("second", "q.yaml", "network: none\n");
  auto p = load("p", {"missing", "first", "second"});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->path, root_ + "/first/p.yaml");
  const auto listed = list_policies({{root_ + "/first", "one"}, {root_ + "/second", "two"}});
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].name, "p");
  EXPECT_FALSE(listed[0].shadowed);
  EXPECT_EQ(listed[1].name, "p");
  EXPECT_TRUE(listed[1].shadowed);
  EXPECT_EQ(listed[2].name, "q");
  EXPECT_EQ(listed[2].kind, "two");
}

TEST_F(PolicyDirs, ExplicitPathsSkipTheSearch) {
  const std::string path = write("elsewhere", "mine.yaml", "network: host\n");
  auto absolute = load(path);
  ASSERT_TRUE(absolute.has_value()) << absolute.error().message;
  EXPECT_EQ(absolute->policy.name, "mine");
  auto relative = load("elsewhere/mine.yaml");  // relative to the cwd (root_ here)
  ASSERT_TRUE(relative.has_value()) << relative.error().message;
  auto missing = load("./nope.yaml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("does not exist"));
}

TEST_F(PolicyDirs, ADirectoryOrHugeFileIsRefused) {
  std::filesystem::create_directories(root_ + "/a/dir.yaml");
  auto dir = load_policy_file(root_ + "/a/dir.yaml", {});
  ASSERT_FALSE(dir.has_value());
  EXPECT_THAT(dir.error().message, HasSubstr("not a regular file"));
  write("a", "huge.yaml", "# " + std::string(kMaxPolicyFileBytes, 'x') + "\n");
  auto huge = load_policy_file(root_ + "/a/huge.yaml", {});
  ASSERT_FALSE(huge.has_value());
  EXPECT_THAT(huge.error().message, HasSubstr("larger than 1m"));
}

TEST(PolicySearchPath, OrderIsEnvThenUserThenSystemThenInstalled) {
  const Getenv env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "SBX_POLICY_PATH") return "/one::/two";
    if (name == "XDG_CONFIG_HOME") return "/xdg";
    if (name == "HOME") return "/home/u";
    return std::nullopt;
  };
  const auto dirs = policy_search_path(env);
  ASSERT_GE(dirs.size(), 5u);
  EXPECT_EQ(dirs[0].path, "/one");
  EXPECT_EQ(dirs[1].path, "/two");
  EXPECT_EQ(dirs[2].path, "/xdg/sbx/policies");
  EXPECT_EQ(dirs[2].kind, "user");
  EXPECT_EQ(dirs[3].path, "/etc/sbx/policies");
  EXPECT_EQ(dirs[4].kind, "installed");
  EXPECT_THAT(dirs[4].path, ::testing::EndsWith("/sbx/policies"));
}

TEST(PolicySearchPath, UserDirFallsBackToHome) {
  const Getenv env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "XDG_CONFIG_HOME") return "relative/not/allowed";
    if (name == "HOME") return "/home/u";
    return std::nullopt;
  };
  const auto dirs = policy_search_path(env);
  ASSERT_FALSE(dirs.empty());
  EXPECT_EQ(dirs[0].path, "/home/u/.config/sbx/policies");
  const auto bare = policy_search_path([](std::string_view) { return std::optional<std::string>(); });
  EXPECT_EQ(bare[0].path, "/etc/sbx/policies");
}

TEST(PolicySearchPath, NamesAndPaths) {
  EXPECT_FALSE(names_a_file("python"));
  EXPECT_FALSE(names_a_file("my-policy.v2"));
  EXPECT_TRUE(names_a_file("./python"));
  EXPECT_TRUE(names_a_file("python.yaml"));
  EXPECT_TRUE(names_a_file("x.yml"));
  EXPECT_TRUE(names_a_file("shown.json"));
  EXPECT_TRUE(names_a_file("/etc/sbx/policies/x"));
  for (const char* bad : {".hidden", "a b", "a:b", "", "x*"}) {
    auto found = find_policy(bad, {{"/nonexistent", "test"}}, "/");
    ASSERT_FALSE(found.has_value()) << bad;
  }
}

// "root" and "nobody" name uid 0 and 65534 in the sandbox's /etc/passwd; a second user of the
// same name would make getpwnam("root") and `id` disagree. Checked after extends, because a
// child may change the uid its parent named.
TEST_F(PolicyDirs, RootAndNobodyAreNamesOnlyForTheirOwnIds) {
  write("a", "own-root.yaml", "identity:\n  user: root\n  uid: 1000\n");
  const auto own = load("own-root");
  ASSERT_FALSE(own);
  EXPECT_THAT(own.error().message,
              HasSubstr("identity.user: \"root\" is uid 0's name in the sandbox; give uid 1000 another name, or set uid: 0"));

  write("a", "root-parent.yaml", "identity:\n  user: root\n  uid: 0\n");
  ASSERT_TRUE(load("root-parent")) << "root as uid 0 is root";
  write("a", "child.yaml", "extends: root-parent\nidentity:\n  uid: 4242\n");
  const auto child = load("child");
  ASSERT_FALSE(child);
  EXPECT_THAT(child.error().message, HasSubstr("give uid 4242 another name"));

  write("a", "nobody.yaml", "identity:\n  user: nobody\n  uid: 1000\n");
  const auto nobody = load("nobody");
  ASSERT_FALSE(nobody);
  EXPECT_THAT(nobody.error().message, HasSubstr("\"nobody\" is uid 65534's name"));
  write("a", "real-nobody.yaml", "identity:\n  user: nobody\n  uid: 65534\n  gid: 65534\n");
  EXPECT_TRUE(load("real-nobody"));
}

TEST_F(PolicyDirs, AUidWithoutAGidBringsItsGroupThroughExtends) {
  struct Case {
    const char* name;
    const char* text;
    gid_t gid;
  };
  for (const Case& c : {
           Case{"as-root", "identity:\n  uid: 0\n", 0},
           Case{"back", "extends: as-root\nidentity:\n  uid: 4242\n  user: dev\n", 1000},  // root's group left too
           Case{"root-staff", "identity:\n  uid: 0\n  gid: 50\n", 50},
           Case{"staff-child", "extends: root-staff\nidentity:\n  uid: 1000\n  user: dev\n", 50},  // a chosen gid stays
       }) {
    write("a", std::string(c.name) + ".yaml", c.text);
    const auto loaded = load(c.name);
    ASSERT_TRUE(loaded) << c.name << ": " << loaded.error().message;
    EXPECT_EQ(loaded->policy.gid, c.gid) << c.name;
  }
}

}  // namespace
}  // namespace sbx::policy
