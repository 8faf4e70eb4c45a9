#include "launch/launch_plan.h"

#include <sys/resource.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "launch/plan_arena.h"
#include "launch/spawn.h"
#include "rlimits/names.h"

namespace sbx::launch {
namespace {

using ::testing::ElementsAre;

constexpr uid_t kOverflow = 65534;

TEST(ChooseIdMapping, RootCallerMapsOntoNobodyNeverRoot) {
  for (uid_t inside : {0u, 1000u, 4242u}) {
    const IdMapping ids = choose_id_mapping(inside, inside + 1, /*euid=*/0, /*egid=*/0);
    EXPECT_EQ(ids.inside_uid, inside);
    EXPECT_EQ(ids.inside_gid, inside + 1);
    EXPECT_EQ(ids.outside_uid, kOverflow) << "host root is never mapped into the sandbox";
    EXPECT_EQ(ids.outside_gid, kOverflow);
    EXPECT_FALSE(ids.deny_setgroups) << "root may (and the child does) clear supplementary groups";
  }
}

TEST(ChooseIdMapping, RootCallerWithAnotherEgidStillMapsOntoNobody) {
  const IdMapping ids = choose_id_mapping(1000, 1000, 0, 27);
  EXPECT_EQ(ids.outside_uid, kOverflow);
  EXPECT_EQ(ids.outside_gid, kOverflow);
}

TEST(ChooseIdMapping, UnprivilegedCallerMapsOntoItself) {
  const IdMapping ids = choose_id_mapping(1000, 1000, /*euid=*/4321, /*egid=*/8765);
  EXPECT_EQ(ids.inside_uid, 1000u);
  EXPECT_EQ(ids.inside_gid, 1000u);
  EXPECT_EQ(ids.outside_uid, 4321u);
  EXPECT_EQ(ids.outside_gid, 8765u);
  EXPECT_TRUE(ids.deny_setgroups) << "an unprivileged gid_map write requires setgroups deny";

  const IdMapping nobody = choose_id_mapping(0, 0, kOverflow, kOverflow);
  EXPECT_EQ(nobody.inside_uid, 0u);
  EXPECT_EQ(nobody.outside_uid, kOverflow);
  EXPECT_EQ(nobody.outside_gid, kOverflow);
  EXPECT_TRUE(nobody.deny_setgroups);
}

policy::Policy sample_policy() {
  policy::Policy p;
  p.argv = {"python3", "-c", "print(1)"};
  p.env = {{"PATH", "/opt/bin:/usr/bin"}, {"HOME", "/tmp"}, {"EMPTY", ""}};
  p.hostname = "box";
  p.workdir = "/workspace/src";
  p.uid = 1234;
  p.gid = 5678;
  p.rlimits = {{RLIMIT_CORE, 0, 0}, {RLIMIT_NOFILE, 256, 512}};
  return p;
}

mounts::MountPlan sample_mounts() {
  mounts::MountPlan m;
  mounts::MountStep usr;
  usr.kind = MountOpKind::kBind;
  usr.source = "/usr";
  usr.target = "/usr";
  usr.read_only = true;
  m.steps.push_back(usr);
  mounts::MountStep passwd;
  passwd.kind = MountOpKind::kWriteFile;
  passwd.target = "/etc/passwd";
  passwd.data = std::string("root:x:0:0\n\0tail", 16);  // data_len, not strlen, is the size
  passwd.mode = 0644;
  passwd.target_is_dir = false;
  m.steps.push_back(passwd);
  mounts::MountStep null_dev;
  null_dev.kind = MountOpKind::kBind;
  null_dev.source = "/dev/null";
  null_dev.target = "/dev/null";
  null_dev.target_is_dir = false;
  null_dev.allow_devices = true;
  null_dev.optional = true;
  null_dev.source_untrusted = true;
  m.steps.push_back(null_dev);
  m.landlock_paths.push_back({"/", mounts::PathAccess::kReadExec});
  return m;
}

TEST(LaunchPlan, IdentityFollowsThePolicyAndWhetherTheCallerIsRoot) {
  LaunchPlan as_root(sample_policy(), sample_mounts(), 40, /*running_as_root=*/true);
  const ChildPlan& root_view = as_root.child_plan();
  EXPECT_EQ(root_view.identity.uid, 1234u);
  EXPECT_EQ(root_view.identity.gid, 5678u);
  EXPECT_TRUE(root_view.identity.clear_groups);

  LaunchPlan as_user(sample_policy(), sample_mounts(), 40, /*running_as_root=*/false);
  EXPECT_FALSE(as_user.child_plan().identity.clear_groups)
      << "setgroups is denied for an unprivileged caller; the child must not try it";
}

TEST(LaunchPlan, ClearGroupsAgreesWithTheSetgroupsDecision) {
  // The child clears groups exactly when the parent did not write "deny" to setgroups.
  for (uid_t euid : {0u, 1000u, 65534u}) {
    LaunchPlan plan(sample_policy(), sample_mounts(), 40, euid == 0);
    const IdMapping ids = choose_id_mapping(1234, 5678, euid, euid);
    EXPECT_NE(plan.child_plan().identity.clear_groups, ids.deny_setgroups) << "euid " << euid;
  }
}

TEST(LaunchPlan, MountOpsMirrorTheStepsInOrder) {
  LaunchPlan plan(sample_policy(), sample_mounts(), 40, false);
  const ChildPlan& view = plan.child_plan();
  ASSERT_EQ(view.mount_count, 3u);
  ASSERT_NE(view.mounts, nullptr);
  ASSERT_NE(view.mount_fds, nullptr);
  for (size_t i = 0; i < view.mount_count; ++i) EXPECT_EQ(view.mount_fds[i], -1) << i;

  const MountOp& usr = view.mounts[0];
  EXPECT_EQ(usr.kind, MountOpKind::kBind);
  EXPECT_STREQ(usr.source, "/usr");
  EXPECT_STREQ(usr.target, "/usr");
  EXPECT_TRUE(usr.read_only);
  EXPECT_TRUE(usr.target_is_dir);
  EXPECT_FALSE(usr.allow_devices);

  const MountOp& passwd = view.mounts[1];
  EXPECT_EQ(passwd.kind, MountOpKind::kWriteFile);
  EXPECT_STREQ(passwd.target, "/etc/passwd");
  ASSERT_EQ(passwd.data_len, 16u);
  EXPECT_EQ(std::string(passwd.data, passwd.data_len), std::string("root:x:0:0\n\0tail", 16));
  EXPECT_EQ(passwd.mode, 0644u);
  EXPECT_FALSE(passwd.target_is_dir);

  const MountOp& null_dev = view.mounts[2];
  EXPECT_TRUE(null_dev.allow_devices);
  EXPECT_TRUE(null_dev.optional);
  EXPECT_TRUE(null_dev.source_untrusted);
  EXPECT_FALSE(null_dev.read_only);

  // The view points into the plan's own copy, which the plan keeps.
  EXPECT_EQ(plan.mounts().steps.size(), 3u);
  EXPECT_EQ(usr.target, plan.mounts().steps[0].target.c_str());
}

TEST(LaunchPlan, ArgvAndEnvpAreNullTerminated) {
  LaunchPlan plan(sample_policy(), sample_mounts(), 40, false);
  const ChildPlan& view = plan.child_plan();
  std::vector<std::string> argv;
  for (const char* const* a = view.argv; *a != nullptr; ++a) argv.emplace_back(*a);
  EXPECT_THAT(argv, ElementsAre("python3", "-c", "print(1)"));
  std::vector<std::string> envp;
  for (const char* const* e = view.envp; *e != nullptr; ++e) envp.emplace_back(*e);
  EXPECT_THAT(envp, ElementsAre("PATH=/opt/bin:/usr/bin", "HOME=/tmp", "EMPTY="));
  EXPECT_STREQ(view.path_env, "/opt/bin:/usr/bin") << "argv[0] is searched on the sandbox's PATH";
}

TEST(LaunchPlan, DefaultSearchPathWithoutPathVariable) {
  policy::Policy p = sample_policy();
  p.env = {{"HOME", "/tmp"}};
  LaunchPlan plan(p, sample_mounts(), 40, false);
  const ChildPlan& view = plan.child_plan();
  EXPECT_STREQ(view.path_env, "/usr/local/bin:/usr/bin:/bin");
  ASSERT_NE(view.envp[0], nullptr);
  EXPECT_STREQ(view.envp[0], "HOME=/tmp");
  EXPECT_EQ(view.envp[1], nullptr) << "no PATH is invented in the environment itself";
}

TEST(LaunchPlan, EmptyEnvironmentIsJustTheTerminator) {
  policy::Policy p = sample_policy();
  p.env.clear();
  LaunchPlan plan(p, sample_mounts(), 40, false);
  ASSERT_NE(plan.child_plan().envp, nullptr);
  EXPECT_EQ(plan.child_plan().envp[0], nullptr);
}

TEST(LaunchPlan, RlimitsCarryTheirNames) {
  LaunchPlan plan(sample_policy(), sample_mounts(), 40, false);
  const ChildPlan& view = plan.child_plan();
  ASSERT_EQ(view.rlimit_count, 2u);
  EXPECT_STREQ(view.rlimits[0].name, "core");
  EXPECT_EQ(view.rlimits[0].resource, RLIMIT_CORE);
  EXPECT_EQ(view.rlimits[0].hard, 0u);
  EXPECT_STREQ(view.rlimits[1].name, "nofile");
  EXPECT_EQ(view.rlimits[1].resource, RLIMIT_NOFILE);
  EXPECT_EQ(view.rlimits[1].soft, 256u);
  EXPECT_EQ(view.rlimits[1].hard, 512u);
}

TEST(LaunchPlan, NetworkHostnameWorkdirAndStaging) {
  policy::Policy p = sample_policy();
  LaunchPlan isolated(p, sample_mounts(), 40, false);
  EXPECT_TRUE(isolated.unshare_network());
  EXPECT_STREQ(isolated.child_plan().hostname, "box");
  EXPECT_STREQ(isolated.child_plan().workdir, "/workspace/src");
  EXPECT_STREQ(isolated.child_plan().staging_dir, "/tmp");
  EXPECT_STREQ(isolated.child_plan().root_tmpfs_options, mounts::kRootTmpfsOptions);
  EXPECT_EQ(isolated.child_plan().last_cap, 40);

  p.network = policy::NetworkMode::kHost;
  LaunchPlan shared(p, sample_mounts(), 40, false);
  EXPECT_FALSE(shared.unshare_network());
}

TEST(LaunchPlan, NoConfinementUntilItIsAdded) {
  LaunchPlan plan(sample_policy(), sample_mounts(), 40, false);
  const ChildPlan& view = plan.child_plan();
  EXPECT_EQ(view.landlock.ruleset_fd, -1);
  EXPECT_EQ(view.landlock.rule_count, 0u);
  EXPECT_EQ(view.seccomp.len, 0u);
  EXPECT_EQ(view.report_fd, -1);
}

TEST(LaunchPlan, SeccompProgramAppearsInTheView) {
  LaunchPlan plan(sample_policy(), sample_mounts(), 40, false);
  std::vector<sock_filter> program(3, sock_filter{BPF_RET | BPF_K, 0, 0, 0x7fff0000});
  plan.set_seccomp(program);
  const ChildPlan& view = plan.child_plan();
  ASSERT_EQ(view.seccomp.len, 3u);
  EXPECT_EQ(view.seccomp.filter[2].k, 0x7fff0000u);
}

// Everything the published plan points to lies inside the arena: the child reads nothing of the
// parent's heap, which it was cloned before and never sees.
TEST(PlanArena, PublishCopiesEveryPointedToByteIntoTheArena) {
  auto arena = PlanArena::create();
  ASSERT_TRUE(arena) << arena.error().message;
  LaunchPlan plan(sample_policy(), sample_mounts(), 40, false);
  std::vector<sock_filter> program(3, sock_filter{BPF_RET | BPF_K, 0, 0, 0x7fff0000});
  plan.set_seccomp(program);
  const ChildPlan& view = plan.child_plan();
  ASSERT_TRUE(arena->publish(view));

  const char* lo = reinterpret_cast<const char*>(arena->plan_slot());
  const char* hi = lo + PlanArena::kCapacity;
  auto inside = [&](const void* p) {
    const char* c = static_cast<const char*>(p);
    return c >= lo && c < hi;
  };
  const ChildPlan& copy = *arena->plan_slot();
  ASSERT_EQ(copy.mount_count, view.mount_count);
  ASSERT_TRUE(inside(copy.mounts));
  ASSERT_TRUE(inside(copy.mount_fds));
  for (size_t i = 0; i < copy.mount_count; ++i) {
    EXPECT_TRUE(inside(copy.mounts[i].source) && inside(copy.mounts[i].target) && inside(copy.mounts[i].data)) << i;
    EXPECT_STREQ(copy.mounts[i].target, view.mounts[i].target);
    ASSERT_EQ(copy.mounts[i].data_len, view.mounts[i].data_len);
    EXPECT_EQ(std::memcmp(copy.mounts[i].data, view.mounts[i].data, view.mounts[i].data_len), 0) << i;
  }
  EXPECT_EQ(std::string(copy.mounts[1].data, copy.mounts[1].data_len), std::string("root:x:0:0\n\0tail", 16));
  ASSERT_TRUE(inside(copy.argv) && inside(copy.envp) && inside(copy.rlimits) && inside(copy.seccomp.filter));
  EXPECT_STREQ(copy.argv[2], "print(1)");
  EXPECT_EQ(copy.argv[3], nullptr);
  EXPECT_STREQ(copy.envp[1], "HOME=/tmp");
  EXPECT_EQ(copy.envp[3], nullptr);
  EXPECT_STREQ(copy.rlimits[1].name, view.rlimits[1].name);
  EXPECT_TRUE(inside(copy.rlimits[1].name));
  ASSERT_EQ(copy.seccomp.len, 3u);
  EXPECT_EQ(copy.seccomp.filter[2].k, 0x7fff0000u);
  EXPECT_TRUE(inside(copy.workdir) && inside(copy.hostname) && inside(copy.path_env) && inside(copy.staging_dir));
  EXPECT_STREQ(copy.workdir, "/workspace/src");
  EXPECT_STREQ(copy.path_env, "/opt/bin:/usr/bin");
}

TEST(PlanArena, APlanLargerThanTheArenaIsAnErrorNotATruncation) {
  auto arena = PlanArena::create();
  ASSERT_TRUE(arena) << arena.error().message;
  policy::Policy p = sample_policy();
  p.argv.push_back(std::string(PlanArena::kCapacity, 'x'));
  LaunchPlan plan(p, sample_mounts(), 40, false);
  const auto published = arena->publish(plan.child_plan());
  ASSERT_FALSE(published);
  EXPECT_NE(published.error().message.find("larger than 64 MiB"), std::string::npos) << published.error().message;
}

}  // namespace
}  // namespace sbx::launch
