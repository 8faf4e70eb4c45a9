// The program runs on exactly the CPUs its caller may use: sbx starts its sandbox child on
// another CPU than its own (launch/cpu_spread.h) and must hand the caller's affinity back.
#include <sched.h>

#include <gtest/gtest.h>

#include <string>

#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

std::string allowed_cpus_inside() {
  RunOptions options;
  options.cwd = "/tmp";
  const RunResult r = run_sbx({"exec", "--no-workspace", "--", "grep", "Cpus_allowed_list", "/proc/self/status"}, options);
  EXPECT_EQ(r.status(), 0) << r;
  return r.out;
}

std::string allowed_cpus_here() {
  const RunResult r = run({"/usr/bin/grep", "Cpus_allowed_list", "/proc/self/status"});
  EXPECT_EQ(r.status(), 0) << r;
  return r.out;
}

// Restores the test's own affinity however the test ends.
class AffinityGuard {
 public:
  AffinityGuard() { saved_ok_ = ::sched_getaffinity(0, sizeof(saved_), &saved_) == 0; }
  ~AffinityGuard() {
    if (saved_ok_) ::sched_setaffinity(0, sizeof(saved_), &saved_);
  }
  const cpu_set_t& saved() const { return saved_; }
  bool ok() const { return saved_ok_; }

 private:
  cpu_set_t saved_{};
  bool saved_ok_ = false;
};

TEST(CpuAffinityTest, ProgramMayRunOnEveryCpuItsCallerMay) {
  const std::string here = allowed_cpus_here();
  ASSERT_FALSE(here.empty());
  // Run a few times: the child is moved off whichever CPU sbx happened to start on.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(allowed_cpus_inside(), here);
}

TEST(CpuAffinityTest, ACallerPinnedToOneCpuKeepsItsProgramThere) {
  AffinityGuard guard;
  ASSERT_TRUE(guard.ok());
  int first = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && first < 0; ++cpu) {
    if (CPU_ISSET(cpu, &guard.saved())) first = cpu;
  }
  ASSERT_GE(first, 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof(one), &one), 0);
  EXPECT_EQ(allowed_cpus_inside(), "Cpus_allowed_list:\t" + std::to_string(first) + "\n");
}

}  // namespace
}  // namespace sbx::e2e
