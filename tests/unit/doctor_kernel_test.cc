// Kernel release parsing and the per-syscall verdicts of sbx doctor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <string>

#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(DoctorKernelRelease, ParsesDistributionReleases) {
  struct Case {
    const char* release;
    int major;
    int minor;
  };
  for (const Case& c : {Case{"6.18.44-fc-v669", 6, 18}, Case{"6.1.0-28-amd64", 6, 1},
                        Case{"5.15.0-119-generic", 5, 15}, Case{"5.12", 5, 12},
                        Case{"6.8-rc3", 6, 8}, Case{"4.19.0+", 4, 19}, Case{"10.0.0", 10, 0}}) {
    const auto v = parse_kernel_release(c.release);
    ASSERT_TRUE(v.has_value()) << c.release;
    EXPECT_EQ(v->major, c.major) << c.release;
    EXPECT_EQ(v->minor, c.minor) << c.release;
  }
}

TEST(DoctorKernelRelease, RejectsGarbage) {
  for (const char* bad : {"", "6", "6.", ".18", "x.y", "-1.2", "6.-2", "linux-6.1", " 6.1"}) {
    EXPECT_FALSE(parse_kernel_release(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(DoctorKernelRelease, MinimumIs512) {
  EXPECT_EQ(evaluate_kernel_release("5.12.0").level, Level::kOk);
  EXPECT_EQ(evaluate_kernel_release("6.1.0-28-amd64").level, Level::kOk);
  EXPECT_EQ(evaluate_kernel_release("10.0").level, Level::kOk);
  for (const char* old : {"5.11.22", "5.4.0-150-generic", "4.19.0", "3.10.0-1160.el7"}) {
    const Check c = evaluate_kernel_release(old);
    EXPECT_EQ(c.level, Level::kMissing) << old;
    EXPECT_THAT(c.detail, HasSubstr(old));
    EXPECT_THAT(c.fix, HasSubstr("upgrade to Linux 5.12 or later"));
  }
  const Check unknown = evaluate_kernel_release("weird");
  EXPECT_EQ(unknown.level, Level::kWarn);
  EXPECT_THAT(unknown.detail, HasSubstr("\"weird\""));
  EXPECT_FALSE(unknown.fix.empty());
  EXPECT_EQ(evaluate_kernel_release("6.1.0").id, "kernel");
}

TEST(DoctorSyscalls, ListsWhatSbxNeeds) {
  std::set<std::string> names;
  for (const SyscallSpec& spec : needed_syscalls()) {
    names.insert(spec.name);
    EXPECT_NE(spec.attempt, nullptr) << spec.name;
    EXPECT_NE(spec.expected[0], 0) << spec.name;
    EXPECT_NE(spec.expected[0], ENOSYS) << spec.name;
    EXPECT_NE(spec.expected[1], ENOSYS) << spec.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"clone3", "pidfd_open", "close_range", "openat2", "open_tree",
                                          "move_mount", "fsopen", "pidfd_send_signal", "mount_setattr"}));
}

const SyscallSpec kSpec{"move_mount", "5.2", {EINVAL, EPERM}, nullptr};

TEST(DoctorSyscalls, EnosysIsMissing) {
  const Check c = evaluate_syscall(kSpec, {-1, ENOSYS});
  EXPECT_EQ(c.id, "syscall.move_mount");
  EXPECT_EQ(c.title, "syscall move_mount");
  EXPECT_EQ(c.level, Level::kMissing);
  EXPECT_THAT(c.detail, AllOf(HasSubstr("ENOSYS"), HasSubstr("Linux 5.2")));
  EXPECT_THAT(c.fix, AllOf(HasSubstr("upgrade to Linux 5.2"), HasSubstr("allow move_mount")));
}

TEST(DoctorSyscalls, ExpectedErrnosMeanPresent) {
  for (int err : {EINVAL, EPERM}) {
    const Check c = evaluate_syscall(kSpec, {-1, err});
    EXPECT_EQ(c.level, Level::kOk);
    EXPECT_THAT(c.detail, HasSubstr("present"));
    EXPECT_TRUE(c.fix.empty());
  }
  EXPECT_EQ(evaluate_syscall(kSpec, {3, 0}).level, Level::kOk);  // the bogus call succeeded
}

TEST(DoctorSyscalls, UnexpectedErrnoWarns) {
  const SyscallSpec einval_only{"openat2", "5.6", {EINVAL, 0}, nullptr};
  const Check c = evaluate_syscall(einval_only, {-1, EPERM});
  EXPECT_EQ(c.level, Level::kWarn);
  EXPECT_THAT(c.detail, AllOf(HasSubstr("EPERM (Operation not permitted)"), HasSubstr("instead of EINVAL")));
  EXPECT_THAT(c.fix, HasSubstr("allow openat2"));
  EXPECT_THAT(evaluate_syscall(kSpec, {-1, EACCES}).detail, HasSubstr("instead of EINVAL or EPERM"));
}

}  // namespace
}  // namespace sbx::doctor
