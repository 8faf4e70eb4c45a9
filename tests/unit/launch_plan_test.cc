#include "launch/launch_plan.h"

#include <sys/resource.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "launch/plan_arena.h"
#include "launch/prelude.h"
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

TEST(Prelude, IdentityFollowsThePolicyAndWhetherTheCallerIsRoot) {
  Prelude as_root(sample_policy(), sample_mounts(), "/tmp", /*running_as_root=*/true);
  const PreludePlan root_view = as_root.view();
  EXPECT_EQ(root_view.identity.uid, 1234u);
  EXPECT_EQ(root_view.identity.gid, 5678u);
  EXPECT_TRUE(root_view.identity.clear_groups);

  Prelude as_user(sample_policy(), sample_mounts(), "/tmp", /*running_as_root=*/false);
  EXPECT_FALSE(as_user.view().identity.clear_groups)
      << "setgroups is denied for an unprivileged caller; the child must not try it";
}

TEST(Prelude, ClearGroupsAgreesWithTheSetgroupsDecision) {
  // The child clears groups exactly when the parent did not write "deny" to setgroups.
  for (uid_t euid : {0u, 1000u, 65534u}) {
    Prelude prelude(sample_policy(), sample_mounts(), "/tmp", euid == 0);
    const IdMapping ids = choose_id_mapping(1234, 5678, euid, euid);
    EXPECT_NE(prelude.view().identity.clear_groups, ids.deny_setgroups) << "euid " << euid;
  }
}

TEST(Prelude, BuildsNowOnlyOnAStagingDirectoryFreeOfTheRestsSources) {
  Prelude early(sample_policy(), sample_mounts(), "/mnt", false);
  EXPECT_STREQ(early.view().staging_dir, "/mnt");
  EXPECT_TRUE(early.view().build_now);
  EXPECT_STREQ(early.view().root_tmpfs_options, mounts::kRootTmpfsOptions);

  Prelude late(sample_policy(), sample_mounts(), std::nullopt, false);
  EXPECT_STREQ(late.view().staging_dir, "/tmp");
  EXPECT_FALSE(late.view().build_now) << "the child must clone the rest's sources before covering anything";
}

TEST(Prelude, MountOpsAndLandlockPathsComeFromItsPlan) {
  Prelude prelude(sample_policy(), sample_mounts(), "/tmp", false);
  const PreludePlan view = prelude.view();
  ASSERT_EQ(view.mounts.count, 3u);
  EXPECT_STREQ(view.mounts.ops[1].target, "/etc/passwd");
  ASSERT_EQ(prelude.landlock_paths().size(), 1u);
  EXPECT_EQ(prelude.landlock_paths()[0].path, "/");
}

TEST(LaunchPlan, LandlockPathsCoverThePreludeAndTheRest) {
  mounts::MountPlan rest = sample_mounts();
  rest.landlock_paths = {{"/workspace", mounts::PathAccess::kReadWrite}};
  LaunchPlan plan(sample_policy(), rest, {{"/tmp", mounts::PathAccess::kReadWrite}}, 40);
  ASSERT_EQ(plan.landlock_paths().size(), 2u);
  EXPECT_EQ(plan.landlock_paths()[0].path, "/tmp");
  EXPECT_EQ(plan.landlock_paths()[1].path, "/workspace");
}

TEST(LaunchPlan, MountOpsMirrorTheStepsInOrder) {
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
  const ChildPlan& view = plan.child_plan();
  ASSERT_EQ(view.mounts.count, 3u);
  ASSERT_NE(view.mounts.ops, nullptr);
  ASSERT_NE(view.mounts.fds, nullptr);
  for (size_t i = 0; i < view.mounts.count; ++i) EXPECT_EQ(view.mounts.fds[i], -1) << i;

  const MountOp& usr = view.mounts.ops[0];
  EXPECT_EQ(usr.kind, MountOpKind::kBind);
  EXPECT_STREQ(usr.source, "/usr");
  EXPECT_STREQ(usr.target, "/usr");
  EXPECT_TRUE(usr.read_only);
  EXPECT_TRUE(usr.target_is_dir);
  EXPECT_FALSE(usr.allow_devices);

  const MountOp& passwd = view.mounts.ops[1];
  EXPECT_EQ(passwd.kind, MountOpKind::kWriteFile);
  EXPECT_STREQ(passwd.target, "/etc/passwd");
  ASSERT_EQ(passwd.data_len, 16u);
  EXPECT_EQ(std::string(passwd.data, passwd.data_len), std::string("root:x:0:0\n\0tail", 16));
  EXPECT_EQ(passwd.mode, 0644u);
  EXPECT_FALSE(passwd.target_is_dir);

  const MountOp& null_dev = view.mounts.ops[2];
  EXPECT_TRUE(null_dev.allow_devices);
  EXPECT_TRUE(null_dev.optional);
  EXPECT_TRUE(null_dev.source_untrusted);
  EXPECT_FALSE(null_dev.read_only);

  // The view points into the plan's own copy, which the plan keeps.
  EXPECT_EQ(plan.child_plan().mounts.ops[0].target, usr.target);
}

TEST(LaunchPlan, ArgvAndEnvpAreNullTerminated) {
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
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
  LaunchPlan plan(p, sample_mounts(), {}, 40);
  const ChildPlan& view = plan.child_plan();
  EXPECT_STREQ(view.path_env, "/usr/local/bin:/usr/bin:/bin");
  ASSERT_NE(view.envp[0], nullptr);
  EXPECT_STREQ(view.envp[0], "HOME=/tmp");
  EXPECT_EQ(view.envp[1], nullptr) << "no PATH is invented in the environment itself";
}

TEST(LaunchPlan, EmptyEnvironmentIsJustTheTerminator) {
  policy::Policy p = sample_policy();
  p.env.clear();
  LaunchPlan plan(p, sample_mounts(), {}, 40);
  ASSERT_NE(plan.child_plan().envp, nullptr);
  EXPECT_EQ(plan.child_plan().envp[0], nullptr);
}

TEST(LaunchPlan, RlimitsCarryTheirNames) {
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
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

TEST(LaunchPlan, NetworkHostnameAndWorkdir) {
  policy::Policy p = sample_policy();
  LaunchPlan isolated(p, sample_mounts(), {}, 40);
  EXPECT_TRUE(isolated.unshare_network());
  EXPECT_STREQ(isolated.child_plan().hostname, "box");
  EXPECT_STREQ(isolated.child_plan().workdir, "/workspace/src");
  EXPECT_EQ(isolated.child_plan().last_cap, 40);

  p.network = policy::NetworkMode::kLoopback;
  EXPECT_TRUE(LaunchPlan(p, sample_mounts(), {}, 40).unshare_network()) << "loopback is the sandbox's own";

  p.network = policy::NetworkMode::kHost;
  LaunchPlan shared(p, sample_mounts(), {}, 40);
  EXPECT_FALSE(shared.unshare_network());
}

TEST(LaunchPlan, NoConfinementUntilItIsAdded) {
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
  const ChildPlan& view = plan.child_plan();
  EXPECT_EQ(view.landlock.ruleset_fd, -1);
  EXPECT_EQ(view.landlock.rule_count, 0u);
  EXPECT_EQ(view.seccomp.len, 0u);
  EXPECT_EQ(view.report_fd, -1);
}

TEST(LaunchPlan, SeccompProgramAppearsInTheView) {
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
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
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
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
  ASSERT_EQ(copy.mounts.count, view.mounts.count);
  ASSERT_TRUE(inside(copy.mounts.ops));
  ASSERT_TRUE(inside(copy.mounts.fds));
  for (size_t i = 0; i < copy.mounts.count; ++i) {
    const MountOp& op = copy.mounts.ops[i];
    EXPECT_TRUE(inside(op.source) && inside(op.target) && inside(op.data)) << i;
    EXPECT_STREQ(op.target, view.mounts.ops[i].target);
    ASSERT_EQ(op.data_len, view.mounts.ops[i].data_len);
    EXPECT_EQ(std::memcmp(op.data, view.mounts.ops[i].data, op.data_len), 0) << i;
  }
  EXPECT_EQ(std::string(copy.mounts.ops[1].data, copy.mounts.ops[1].data_len), std::string("root:x:0:0\n\0tail", 16));
  ASSERT_TRUE(inside(copy.argv) && inside(copy.envp) && inside(copy.rlimits) && inside(copy.seccomp.filter));
  EXPECT_STREQ(copy.argv[2], "print(1)");
  EXPECT_EQ(copy.argv[3], nullptr);
  EXPECT_STREQ(copy.envp[1], "HOME=/tmp");
  EXPECT_EQ(copy.envp[3], nullptr);
  EXPECT_STREQ(copy.rlimits[1].name, view.rlimits[1].name);
  EXPECT_TRUE(inside(copy.rlimits[1].name));
  ASSERT_EQ(copy.seccomp.len, 3u);
  EXPECT_EQ(copy.seccomp.filter[2].k, 0x7fff0000u);
  EXPECT_TRUE(inside(copy.workdir) && inside(copy.hostname) && inside(copy.path_env));
  EXPECT_STREQ(copy.workdir, "/workspace/src");
  EXPECT_STREQ(copy.path_env, "/opt/bin:/usr/bin");
}

// The prelude is published first and the child may be reading it while the plan is published:
// the plan must not land on any of its bytes.
TEST(PlanArena, ThePlanLeavesThePublishedPreludeIntact) {
  auto arena = PlanArena::create();
  ASSERT_TRUE(arena) << arena.error().message;
  Prelude prelude(sample_policy(), sample_mounts(), "/mnt", false);
  ASSERT_TRUE(arena->publish_prelude(prelude.view()));
  LaunchPlan plan(sample_policy(), sample_mounts(), {}, 40);
  ASSERT_TRUE(arena->publish(plan.child_plan()));

  const PreludePlan& copy = *arena->prelude_slot();
  const char* lo = reinterpret_cast<const char*>(arena->prelude_slot());
  EXPECT_GE(reinterpret_cast<const char*>(arena->plan_slot()), lo + sizeof(PreludePlan));
  EXPECT_STREQ(copy.staging_dir, "/mnt");
  EXPECT_TRUE(copy.build_now);
  EXPECT_STREQ(copy.root_tmpfs_options, mounts::kRootTmpfsOptions);
  ASSERT_EQ(copy.mounts.count, 3u);
  EXPECT_STREQ(copy.mounts.ops[0].source, "/usr");
  EXPECT_EQ(std::string(copy.mounts.ops[1].data, copy.mounts.ops[1].data_len), std::string("root:x:0:0\n\0tail", 16));
  const ChildPlan& published = *arena->plan_slot();
  EXPECT_NE(published.mounts.ops, copy.mounts.ops);
  EXPECT_NE(published.mounts.ops[0].source, copy.mounts.ops[0].source);
  EXPECT_STREQ(published.argv[0], "python3");
}

TEST(PlanArena, APlanLargerThanTheArenaIsAnErrorNotATruncation) {
  auto arena = PlanArena::create();
  ASSERT_TRUE(arena) << arena.error().message;
  policy::Policy p = sample_policy();
  p.argv.push_back(std::string(PlanArena::kCapacity, 'x'));
  LaunchPlan plan(p, sample_mounts(), {}, 40);
  const auto published = arena->publish(plan.child_plan());
  ASSERT_FALSE(published);
  EXPECT_NE(published.error().message.find("larger than 64 MiB"), std::string::npos) << published.error().message;
}

}  // namespace
}  // namespace sbx::launch
