// bench/least.cc claims to be the least work a sandbox with every layer on can do, and bench/run
// puts it beside sbx on that claim. A least that quietly skipped a layer would look cheaper than
// any real sandbox can be, so these tests check from inside that each layer is really there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "landlock/abi.h"
#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

std::string least_binary() {
  const char* from_env = std::getenv("SBX_BENCH_LEAST");
  return from_env != nullptr && *from_env != '\0' ? from_env : SBX_BENCH_LEAST;
}

RunResult run_least(const std::string& script) {
  RunOptions options;
  options.timeout = std::chrono::milliseconds(10'000);
  return run({least_binary(), "/bin/sh", "-c", script}, options);
}

class BenchLeastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (landlock::probe_abi() < 1) GTEST_SKIP() << "the kernel has no Landlock; sbx-bench-least refuses to run";
  }
};

TEST_F(BenchLeastTest, RunsTheProgramAsPidOneWithNoCapabilitiesUnderSeccompAndNoNewPrivs) {
  const RunResult r = run_least("echo pid=$$; grep -E '^(Seccomp|NoNewPrivs|CapEff|CapBnd):' /proc/self/status");
  ASSERT_EQ(r.status(), 0) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("pid=1\n")) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("Seccomp:\t2\n")) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("NoNewPrivs:\t1\n")) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("CapEff:\t0000000000000000\n")) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("CapBnd:\t0000000000000000\n")) << r;
}

TEST_F(BenchLeastTest, ShowsOnlyItsOwnReadOnlyRootWithTheHostsUsr) {
  const RunResult r = run_least(
      "test -x /usr/bin/env && echo usr; test -e /etc || test -e /home || test -e /root || echo no-host-root;"
      "(echo x > /new-file) 2>&1 || echo not-written");
  ASSERT_EQ(r.status(), 0) << r;
  EXPECT_THAT(r.out, ::testing::StartsWith("usr\nno-host-root\n")) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("Read-only file system")) << r;
  EXPECT_THAT(r.out, ::testing::EndsWith("not-written\n")) << r;
}

TEST_F(BenchLeastTest, LandlockRefusesWritesTheMountsWouldAllow) {
  // /dev/null is a writable bind of the host's device: only Landlock stands in the way.
  const RunResult r = run_least("(echo x > /dev/null) 2>&1 && echo wrote || echo refused");
  ASSERT_EQ(r.status(), 0) << r;
  EXPECT_THAT(r.out, ::testing::EndsWith("refused\n")) << r;
  EXPECT_THAT(r.out, ::testing::HasSubstr("Permission denied")) << r;
}

TEST_F(BenchLeastTest, HasItsOwnNetworkNamespaceWithNothingButLoopback) {
  const RunResult r = run_least("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
  ASSERT_EQ(r.status(), 0) << r;
  EXPECT_EQ(r.out, "lo\n") << r;
}

TEST_F(BenchLeastTest, PassesTheProgramsExitStatusOn) {
  EXPECT_EQ(run_least("exit 7").status(), 7);
  EXPECT_EQ(run({least_binary(), "/nonexistent"}).status(), 127);
}

}  // namespace
}  // namespace sbx::e2e
