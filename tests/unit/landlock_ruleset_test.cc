#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "landlock/abi.h"
#include "landlock/ruleset.h"
#include "landlock/uapi.h"

namespace sbx::landlock {
namespace {

using ::testing::HasSubstr;

constexpr Access kAllAccess[] = {Access::kReadExec, Access::kReadWrite, Access::kDevices};

constexpr uint64_t kReadExec =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;

TEST(LandlockRuleMask, ReadExecIsExactlyExecuteAndRead) {
  EXPECT_EQ(access_mask(Access::kReadExec), kReadExec);
  for (int abi = 1; abi <= 7; ++abi) EXPECT_EQ(rule_mask(Access::kReadExec, abi), kReadExec) << abi;
}

TEST(LandlockRuleMask, ReadWriteNeverCreatesDevices) {
  const uint64_t rw = access_mask(Access::kReadWrite);
  EXPECT_EQ(rw & kReadExec, kReadExec);
  for (uint64_t bit :
       {LANDLOCK_ACCESS_FS_WRITE_FILE, LANDLOCK_ACCESS_FS_REMOVE_DIR,
        LANDLOCK_ACCESS_FS_REMOVE_FILE, LANDLOCK_ACCESS_FS_MAKE_DIR, LANDLOCK_ACCESS_FS_MAKE_REG,
        LANDLOCK_ACCESS_FS_MAKE_SOCK, LANDLOCK_ACCESS_FS_MAKE_FIFO, LANDLOCK_ACCESS_FS_MAKE_SYM,
        LANDLOCK_ACCESS_FS_REFER, LANDLOCK_ACCESS_FS_TRUNCATE}) {
    EXPECT_TRUE(rw & bit) << fs_right_names(bit)[0];
  }
  for (uint64_t bit : {LANDLOCK_ACCESS_FS_MAKE_CHAR, LANDLOCK_ACCESS_FS_MAKE_BLOCK,
                       LANDLOCK_ACCESS_FS_IOCTL_DEV}) {
    EXPECT_FALSE(rw & bit) << fs_right_names(bit)[0];
  }
}

TEST(LandlockRuleMask, DevicesWriteTruncateIoctlButCreateNothing) {
  EXPECT_EQ(access_mask(Access::kDevices), kReadExec | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                               LANDLOCK_ACCESS_FS_TRUNCATE |
                                               LANDLOCK_ACCESS_FS_IOCTL_DEV);
}

TEST(LandlockRuleMask, MaskedByAbiForEveryClass) {
  for (int abi = 1; abi <= 7; ++abi) {
    for (Access access : kAllAccess) {
      const uint64_t mask = rule_mask(access, abi);
      EXPECT_EQ(mask & ~handled_fs(abi), 0u) << "abi " << abi << " " << access_name(access);
      EXPECT_EQ(mask, access_mask(access) & handled_fs(abi)) << abi;
    }
  }
}

TEST(LandlockRuleMask, PerAbiDetails) {
  // ABI 1: no REFER, no TRUNCATE.
  EXPECT_FALSE(rule_mask(Access::kReadWrite, 1) & LANDLOCK_ACCESS_FS_REFER);
  EXPECT_FALSE(rule_mask(Access::kReadWrite, 1) & LANDLOCK_ACCESS_FS_TRUNCATE);
  EXPECT_TRUE(rule_mask(Access::kReadWrite, 1) & LANDLOCK_ACCESS_FS_MAKE_REG);
  // ABI 2: REFER.
  EXPECT_TRUE(rule_mask(Access::kReadWrite, 2) & LANDLOCK_ACCESS_FS_REFER);
  EXPECT_FALSE(rule_mask(Access::kReadWrite, 2) & LANDLOCK_ACCESS_FS_TRUNCATE);
  // ABI 3 and 4: TRUNCATE, still no IOCTL_DEV.
  for (int abi : {3, 4}) {
    EXPECT_TRUE(rule_mask(Access::kReadWrite, abi) & LANDLOCK_ACCESS_FS_TRUNCATE) << abi;
    EXPECT_TRUE(rule_mask(Access::kDevices, abi) & LANDLOCK_ACCESS_FS_TRUNCATE) << abi;
    EXPECT_FALSE(rule_mask(Access::kDevices, abi) & LANDLOCK_ACCESS_FS_IOCTL_DEV) << abi;
  }
  // ABI 5..7: device ioctls for kDevices only.
  for (int abi : {5, 6, 7}) {
    EXPECT_TRUE(rule_mask(Access::kDevices, abi) & LANDLOCK_ACCESS_FS_IOCTL_DEV) << abi;
    EXPECT_FALSE(rule_mask(Access::kReadWrite, abi) & LANDLOCK_ACCESS_FS_IOCTL_DEV) << abi;
    EXPECT_EQ(rule_mask(Access::kReadWrite, abi), access_mask(Access::kReadWrite)) << abi;
  }
  EXPECT_EQ(rule_mask(Access::kReadWrite, 0), 0u);
}

TEST(LandlockEnforcement, PerAbi) {
  const uint64_t tcp = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
  const uint64_t scopes = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
  for (int abi = 1; abi <= 7; ++abi) {
    const Enforced denied = plan_enforcement(abi, /*allow_network=*/false);
    const Enforced allowed = plan_enforcement(abi, /*allow_network=*/true);
    EXPECT_EQ(denied.abi, abi);
    EXPECT_EQ(denied.handled_fs, handled_fs(abi));
    EXPECT_EQ(denied.handled_net, abi >= 4 ? tcp : 0u) << abi;
    EXPECT_EQ(allowed.handled_net, 0u) << abi;
    EXPECT_EQ(denied.scoped, abi >= 6 ? scopes : 0u) << abi;
    EXPECT_EQ(allowed.scoped, denied.scoped) << abi;  // scoping does not depend on the network
  }
}

TEST(LandlockEnforcement, Describe) {
  Enforced e = plan_enforcement(7, /*allow_network=*/false);
  e.rule_count = 3;
  EXPECT_EQ(e.describe(),
            "landlock ABI 7: fs rights 16, tcp bind/connect denied, scopes abstract-unix+signal, "
            "3 path rules");

  e = plan_enforcement(6, /*allow_network=*/true);
  e.rule_count = 1;
  EXPECT_EQ(e.describe(),
            "landlock ABI 6: fs rights 16, tcp allowed, scopes abstract-unix+signal, 1 path rule");

  e = plan_enforcement(3, /*allow_network=*/false);
  EXPECT_EQ(e.describe(),
            "landlock ABI 3: fs rights 15, tcp not restrictable (needs ABI 4), "
            "no scopes (needs ABI 6), 0 path rules");
}

TEST(LandlockRules, RejectsRelativeAndEmptyPaths) {
  EXPECT_TRUE(validate_rules({{"/usr", Access::kReadExec}, {"/tmp", Access::kReadWrite}}));
  EXPECT_TRUE(validate_rules({}));
  for (const std::string& bad :
       {std::string(""), std::string("tmp"), std::string("./x"), std::string("/a\0b", 4)}) {
    auto status = validate_rules({{"/usr", Access::kReadExec}, {bad, Access::kReadWrite}});
    ASSERT_FALSE(status.has_value()) << bad;
    EXPECT_THAT(status.error().message, HasSubstr("rules[1]")) << bad;
  }
  auto status = validate_rules({{"tmp", Access::kReadWrite}});
  ASSERT_FALSE(status.has_value());
  EXPECT_THAT(status.error().message, HasSubstr("must be absolute"));
  EXPECT_THAT(status.error().message, HasSubstr("read-write"));
}

TEST(LandlockRules, AbiZeroIsAnError) {
  auto plan = build_ruleset_at_abi(RulesetSpec{}, 0);
  ASSERT_FALSE(plan.has_value());
  EXPECT_THAT(plan.error().message, HasSubstr("landlock"));
}

}  // namespace
}  // namespace sbx::landlock
