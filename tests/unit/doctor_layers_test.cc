// The Landlock, seccomp, cgroup v2 and host-knob verdicts of sbx doctor, from made-up facts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "doctor/probes.h"
#include "landlock/abi.h"

namespace sbx::doctor {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(DoctorLandlock, EveryAbiIsUsableAndSaysWhatItCovers) {
  for (int abi = 1; abi <= landlock::kMaxKnownAbi + 1; ++abi) {
    const Check c = evaluate_landlock(abi, 0);
    SCOPED_TRACE(c.detail);
    EXPECT_EQ(c.id, "landlock");
    EXPECT_EQ(c.level, Level::kOk);
    EXPECT_TRUE(c.fix.empty());
    EXPECT_THAT(c.detail, StartsWith("ABI " + std::to_string(abi) + ": filesystem ("));
  }
  EXPECT_THAT(evaluate_landlock(1, 0).detail,
              AllOf(HasSubstr("13 rights)"), HasSubstr("no TCP rules"), HasSubstr("no signal/abstract-unix")));
  EXPECT_THAT(evaluate_landlock(3, 0).detail, HasSubstr("15 rights, including refer, truncate)"));
  EXPECT_THAT(evaluate_landlock(4, 0).detail, AllOf(HasSubstr("TCP bind_tcp/connect_tcp"), HasSubstr("no signal")));
  EXPECT_THAT(evaluate_landlock(6, 0).detail,
              AllOf(HasSubstr("16 rights, including refer, truncate, ioctl_dev"), HasSubstr("scopes abstract-unix/signal")));
  EXPECT_THAT(evaluate_landlock(landlock::kMaxKnownAbi + 1, 0).detail,
              HasSubstr("sbx uses the rights of ABI " + std::to_string(landlock::kMaxKnownAbi)));
}

TEST(DoctorLandlock, UnavailableIsMissingWithOneFix) {
  for (int err : {ENOSYS, EOPNOTSUPP, EPERM}) {
    const Check c = evaluate_landlock(-1, err);
    SCOPED_TRACE(c.detail);
    EXPECT_EQ(c.level, Level::kMissing);
    EXPECT_THAT(c.detail, StartsWith("Landlock is unavailable: "));
    EXPECT_THAT(c.detail, Not(HasSubstr("to enable it")));  // the hint moved to the fix
    EXPECT_THAT(c.fix, AllOf(StartsWith("boot a kernel built with CONFIG_SECURITY_LANDLOCK=y"),
                             HasSubstr("--landlock best-effort")));
  }
  EXPECT_THAT(evaluate_landlock(-1, ENOSYS).detail, HasSubstr("ENOSYS"));
  EXPECT_THAT(evaluate_landlock(-1, EOPNOTSUPP).detail, HasSubstr("disabled at boot"));
}

TEST(DoctorSeccomp, WorkingFilter) {
  const Check c = evaluate_seccomp({});
  EXPECT_EQ(c.id, "seccomp");
  EXPECT_EQ(c.level, Level::kOk);
  EXPECT_THAT(c.detail, HasSubstr("filter mode works"));
  EXPECT_THAT(c.detail, Not(HasSubstr("already runs under")));

  SeccompFacts nested;
  nested.own_mode = 2;
  nested.own_filters = 3;
  EXPECT_THAT(evaluate_seccomp(nested).detail, HasSubstr("already runs under 3 seccomp filter(s)"));
}

TEST(DoctorSeccomp, EachFailedStageIsMissingWithAFix) {
  struct Case {
    int stage;
    int err;
    const char* detail;
    const char* fix;
  };
  for (const Case& k : {Case{1, EINVAL, "PR_SET_NO_NEW_PRIVS", "forbids prctl"},
                        Case{2, EINVAL, "CONFIG_SECCOMP_FILTER", "CONFIG_SECCOMP_FILTER=y"},
                        Case{2, ENOSYS, "CONFIG_SECCOMP_FILTER", "CONFIG_SECCOMP_FILTER=y"},
                        Case{2, EPERM, "EPERM (Operation not permitted)", "allow the seccomp() syscall"},
                        Case{3, 0, "not enforced", "seccomp filters work"}}) {
    SeccompFacts f;
    f.failed_stage = k.stage;
    f.sys_errno = k.err;
    const Check c = evaluate_seccomp(f);
    SCOPED_TRACE(c.detail);
    EXPECT_EQ(c.level, Level::kMissing);
    EXPECT_THAT(c.detail, HasSubstr(k.detail));
    EXPECT_THAT(c.fix, HasSubstr(k.fix));
  }
}

TEST(DoctorSeccomp, ProbeThatCouldNotRunWarns) {
  SeccompFacts f;
  f.probe_error = "fork: Resource temporarily unavailable";
  const Check c = evaluate_seccomp(f);
  EXPECT_EQ(c.level, Level::kWarn);
  EXPECT_THAT(c.detail, HasSubstr("fork: Resource temporarily unavailable"));
  EXPECT_FALSE(c.fix.empty());
}

TEST(DoctorCgroup, V1ControllersFromProcSelfCgroup) {
  const std::string hybrid =
      "12:cpu,cpuacct:/\n9:name=systemd:/user.slice\n4:memory:/x\n8:pids:/\n0::/user.slice\n";
  EXPECT_EQ(v1_controllers_of(hybrid), (std::vector<std::string>{"cpu", "cpuacct", "memory", "pids"}));
  EXPECT_TRUE(v1_controllers_of("0::/user.slice/user-1000.slice\n").empty());
  EXPECT_TRUE(v1_controllers_of("").empty());
  EXPECT_TRUE(v1_controllers_of("garbage\n1:\n").empty());
}

CgroupFacts delegated() {
  CgroupFacts f;
  f.uid = 1000;
  f.mount = "/sys/fs/cgroup";
  f.own_path = "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope";
  f.writable = true;
  f.controllers = {"cpuset", "cpu", "io", "memory", "pids"};
  f.subtree_control = {"memory", "pids"};
  return f;
}

TEST(DoctorCgroup, DelegatedWithControllersIsOk) {
  const Check c = evaluate_cgroup2(delegated());
  EXPECT_EQ(c.id, "cgroup2");
  EXPECT_EQ(c.level, Level::kOk);
  EXPECT_THAT(c.detail, AllOf(HasSubstr("delegated"), HasSubstr("controllers: cpuset cpu io memory pids"),
                              HasSubstr("enabled for children: memory pids")));
}

TEST(DoctorCgroup, NeverMissingBecauseLimitsAreOptional) {
  CgroupFacts none;
  none.v1_controllers = {"memory", "pids"};
  CgroupFacts no_line = delegated();
  no_line.own_path.clear();
  CgroupFacts not_writable = delegated();
  not_writable.writable = false;
  CgroupFacts no_memory = delegated();
  no_memory.controllers = {"cpu", "pids"};
  CgroupFacts v1_memory = no_memory;
  v1_memory.v1_controllers = {"memory"};
  for (const CgroupFacts& f : {none, no_line, not_writable, no_memory, v1_memory}) {
    const Check c = evaluate_cgroup2(f);
    SCOPED_TRACE(c.detail);
    EXPECT_EQ(c.level, Level::kWarn);
    EXPECT_FALSE(c.fix.empty());
  }
  EXPECT_THAT(evaluate_cgroup2(none).detail,
              AllOf(HasSubstr("no cgroup2 filesystem is mounted"), HasSubstr("v1 hierarchies hold: memory pids")));
  EXPECT_THAT(evaluate_cgroup2(none).fix, HasSubstr("systemd.unified_cgroup_hierarchy=1"));
  EXPECT_THAT(evaluate_cgroup2(not_writable).detail, HasSubstr("not writable by uid 1000"));
  EXPECT_THAT(evaluate_cgroup2(not_writable).fix, HasSubstr("systemd-run --user --scope -p Delegate=yes"));
  EXPECT_THAT(evaluate_cgroup2(no_memory).detail, HasSubstr("missing for --memory/--pids/--cpus: memory"));
  EXPECT_THAT(evaluate_cgroup2(no_memory).fix, HasSubstr("echo '+memory' | sudo tee /sys/fs/cgroup/cgroup.subtree_control"));
  EXPECT_THAT(evaluate_cgroup2(v1_memory).fix, HasSubstr("cgroup_no_v1=all"));
}

TEST(DoctorInfo, UnprivilegedBpf) {
  EXPECT_EQ(evaluate_unprivileged_bpf(std::nullopt).level, Level::kOk);
  EXPECT_EQ(evaluate_unprivileged_bpf(1).level, Level::kOk);
  EXPECT_THAT(evaluate_unprivileged_bpf(1).detail, HasSubstr("locked until reboot"));
  EXPECT_EQ(evaluate_unprivileged_bpf(2).level, Level::kOk);
  const Check open = evaluate_unprivileged_bpf(0);
  EXPECT_EQ(open.id, "info.unprivileged_bpf");
  EXPECT_EQ(open.level, Level::kWarn);
  EXPECT_EQ(open.fix, "sudo sysctl -w kernel.unprivileged_bpf_disabled=2");
}

TEST(DoctorInfo, LegacyTiocsti) {
  EXPECT_EQ(evaluate_legacy_tiocsti(0).level, Level::kOk);
  EXPECT_TRUE(evaluate_legacy_tiocsti(0).fix.empty());
  const Check on = evaluate_legacy_tiocsti(1);
  EXPECT_EQ(on.id, "info.legacy_tiocsti");
  EXPECT_EQ(on.level, Level::kWarn);
  EXPECT_EQ(on.fix, "sudo sysctl -w dev.tty.legacy_tiocsti=0");
  const Check old_kernel = evaluate_legacy_tiocsti(std::nullopt);
  EXPECT_EQ(old_kernel.level, Level::kWarn);
  EXPECT_THAT(old_kernel.fix, HasSubstr("Linux 6.2"));
}

}  // namespace
}  // namespace sbx::doctor
