#include "seccomp/precompiled.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sbx::seccomp {
namespace {

// The build-time copy must be exactly what libseccomp compiles now: a stale copy would enforce
// a different policy than the source says.
class PrecompiledFilterTest : public ::testing::TestWithParam<DenyAction> {};

TEST_P(PrecompiledFilterTest, MatchesAFreshCompile) {
  FilterOptions options;
  options.deny_action = GetParam();
  auto precompiled = precompiled_default_filter(options);
  ASSERT_TRUE(precompiled.has_value());
  auto fresh = compile_default_filter(options);
  ASSERT_TRUE(fresh) << fresh.error().message;
  ASSERT_EQ(precompiled->program.size(), fresh->program.size());
  for (size_t i = 0; i < fresh->program.size(); ++i) {
    const sock_filter& a = precompiled->program[i];
    const sock_filter& b = fresh->program[i];
    EXPECT_TRUE(a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k) << "instruction " << i;
  }
  EXPECT_EQ(precompiled->rule_count, fresh->rule_count);
  EXPECT_EQ(precompiled->skipped_syscalls, fresh->skipped_syscalls);
  EXPECT_GT(precompiled->rule_count, 100u);
}

INSTANTIATE_TEST_SUITE_P(EachDenyAction, PrecompiledFilterTest,
                         ::testing::Values(DenyAction::kErrno, DenyAction::kKill, DenyAction::kLog));

}  // namespace
}  // namespace sbx::seccomp
