// The doctor's probes on the running kernel: they agree with direct attempts, stay within their
// time limit, and leave no child, fd or seccomp filter behind in the caller.
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>

#include "doctor/bounded_child.h"
#include "doctor/doctor.h"
#include "doctor/probes.h"
#include "landlock/abi.h"
#include "userns_attempt.h"

namespace sbx::doctor {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

int open_fd_count() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

// No zombie is waiting to be reaped: every probe child was waited for.
bool no_children_left() { return waitpid(-1, nullptr, WNOHANG) <= 0; }

void reap_earlier_zombies() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

std::string status_line(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return line;
  }
  return "";
}

TEST(DoctorProbes, UsernsProbeAgreesWithADirectAttempt) {
  reap_earlier_zombies();
  const int err = sbx::testing::direct_userns_attempt();
  const Check c = probe_userns();
  EXPECT_EQ(c.id, "userns");
  if (err == 0) {
    EXPECT_EQ(c.level, Level::kOk) << c.detail;
    EXPECT_THAT(c.detail, HasSubstr("uid_map \"0 " + std::to_string(geteuid()) + " 1\""));
  } else {
    EXPECT_EQ(c.level, Level::kMissing) << c.detail;
    EXPECT_THAT(c.detail, HasSubstr(strerrorname_np(err)));
    EXPECT_FALSE(c.fix.empty());
  }
  EXPECT_TRUE(no_children_left());
}

TEST(DoctorProbes, LandlockProbeMatchesTheAbi) {
  const int abi = landlock::probe_abi();
  const Check c = probe_landlock();
  if (abi > 0) {
    EXPECT_EQ(c.level, Level::kOk);
    EXPECT_THAT(c.detail, StartsWith("ABI " + std::to_string(abi) + ":"));
  } else {
    EXPECT_EQ(c.level, Level::kMissing);
  }
}

TEST(DoctorProbes, SeccompProbeFiltersOnlyTheChild) {
  reap_earlier_zombies();
  const std::string before = status_line("Seccomp");
  const std::string nnp_before = status_line("NoNewPrivs");
  const Check c = probe_seccomp();
  if (c.level != Level::kOk) GTEST_SKIP() << "seccomp filters unavailable here: " << c.detail;
  EXPECT_THAT(c.detail, HasSubstr("filter mode works"));
  EXPECT_EQ(status_line("Seccomp"), before);
  EXPECT_EQ(status_line("NoNewPrivs"), nnp_before);
  EXPECT_EQ(getppid() > 0, true);  // not filtered here
  EXPECT_TRUE(no_children_left());
}

TEST(DoctorProbes, SyscallProbesNeverSucceed) {
  const auto checks = probe_syscalls();
  ASSERT_EQ(checks.size(), needed_syscalls().size());
  for (const SyscallSpec& spec : needed_syscalls()) {
    const SyscallTry t = spec.attempt();
    EXPECT_LT(t.ret, 0) << spec.name;  // every call is invalid on purpose
    EXPECT_NE(t.err, 0) << spec.name;
  }
  if (probe_kernel_version().level != Level::kOk) GTEST_SKIP() << "kernel older than 5.12";
  for (const Check& c : checks) EXPECT_NE(c.level, Level::kMissing) << c.id << ": " << c.detail;
}

ChildOutcome hang(const void*) noexcept {
  for (;;) pause();
}

ChildOutcome fail_at_two(const void* arg) noexcept { return {2, *static_cast<const int*>(arg)}; }

TEST(DoctorBoundedChild, KillsAChildThatOverstays) {
  reap_earlier_zombies();
  const auto start = std::chrono::steady_clock::now();
  auto r = run_bounded_child(&hang, nullptr, std::chrono::milliseconds(200));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("did not finish within 200 ms"));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_TRUE(no_children_left());
}

TEST(DoctorBoundedChild, ReportsStageAndErrno) {
  reap_earlier_zombies();
  const int err = EACCES;
  auto r = run_bounded_child(&fail_at_two, &err, std::chrono::seconds(5));
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->stage, 2);
  EXPECT_EQ(r->sys_errno, EACCES);
  EXPECT_TRUE(no_children_left());
}

TEST(DoctorRunChecks, StableOrderAndNothingLeftBehind) {
  reap_earlier_zombies();
  const int fds_before = open_fd_count();
  const Report r = run_checks();
  EXPECT_EQ(open_fd_count(), fds_before);
  EXPECT_TRUE(no_children_left());

  ASSERT_GE(r.checks.size(), 8u);
  EXPECT_EQ(r.checks[0].id, "kernel");
  EXPECT_EQ(r.checks[1].id, "userns");
  EXPECT_EQ(r.checks[2].id, "userns.sysctl");
  EXPECT_EQ(r.checks[3].id, "landlock");
  EXPECT_EQ(r.checks[4].id, "seccomp");
  EXPECT_EQ(r.checks[5].id, "cgroup2");
  EXPECT_EQ(r.checks.back().id, "info.legacy_tiocsti");
  std::set<std::string> ids;
  for (const Check& c : r.checks) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
    EXPECT_FALSE(c.title.empty()) << c.id;
    EXPECT_FALSE(c.detail.empty()) << c.id;
    EXPECT_EQ(c.fix.empty(), c.level == Level::kOk) << c.id << ": every row that is not ok has a fix";
  }
  // Optional layers and host knobs never make the host unusable.
  for (const Check& c : r.checks) {
    if (c.id == "cgroup2" || c.id.rfind("info.", 0) == 0) {
      EXPECT_NE(c.level, Level::kMissing) << c.id;
    }
  }
}

}  // namespace
}  // namespace sbx::doctor
