#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "landlock/abi.h"
#include "landlock/uapi.h"

namespace sbx::landlock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LandlockAbi, HandledFsPerAbi) {
  EXPECT_EQ(handled_fs(-1), 0u);
  EXPECT_EQ(handled_fs(0), 0u);
  EXPECT_EQ(handled_fs(1), 0x1fffu);  // bits 0-12
  EXPECT_EQ(handled_fs(2), 0x3fffu);  // + REFER
  EXPECT_EQ(handled_fs(3), 0x7fffu);  // + TRUNCATE
  EXPECT_EQ(handled_fs(4), 0x7fffu);  // ABI 4 added network only
  EXPECT_EQ(handled_fs(5), 0xffffu);  // + IOCTL_DEV
  EXPECT_EQ(handled_fs(6), 0xffffu);
  EXPECT_EQ(handled_fs(7), 0xffffu);
  EXPECT_EQ(handled_fs(kMaxKnownAbi + 5), 0xffffu);  // a newer kernel gets the rights sbx knows
}

TEST(LandlockAbi, HandledFsNamesTheRightBits) {
  EXPECT_FALSE(handled_fs(1) & LANDLOCK_ACCESS_FS_REFER);
  EXPECT_TRUE(handled_fs(2) & LANDLOCK_ACCESS_FS_REFER);
  EXPECT_FALSE(handled_fs(2) & LANDLOCK_ACCESS_FS_TRUNCATE);
  EXPECT_TRUE(handled_fs(3) & LANDLOCK_ACCESS_FS_TRUNCATE);
  EXPECT_FALSE(handled_fs(4) & LANDLOCK_ACCESS_FS_IOCTL_DEV);
  EXPECT_TRUE(handled_fs(5) & LANDLOCK_ACCESS_FS_IOCTL_DEV);
}

TEST(LandlockAbi, NetworkFromAbi4) {
  for (int abi = 0; abi <= 3; ++abi) {
    EXPECT_FALSE(supports_net(abi)) << abi;
    EXPECT_EQ(handled_net(abi), 0u) << abi;
  }
  for (int abi = 4; abi <= 7; ++abi) {
    EXPECT_TRUE(supports_net(abi)) << abi;
    EXPECT_EQ(handled_net(abi), LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
        << abi;
  }
}

TEST(LandlockAbi, ScopesFromAbi6) {
  for (int abi = 0; abi <= 5; ++abi) EXPECT_EQ(supported_scopes(abi), 0u) << abi;
  for (int abi = 6; abi <= 7; ++abi) {
    EXPECT_EQ(supported_scopes(abi), LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)
        << abi;
  }
}

TEST(LandlockAbi, RightNames) {
  EXPECT_THAT(fs_right_names(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_DIR),
              ElementsAre("execute", "read_dir"));
  EXPECT_THAT(fs_right_names(LANDLOCK_ACCESS_FS_IOCTL_DEV | (1ULL << 20)),
              ElementsAre("ioctl_dev", "bit20"));
  EXPECT_EQ(fs_right_names(handled_fs(7)).size(), 16u);
  EXPECT_TRUE(fs_right_names(0).empty());
  EXPECT_THAT(net_right_names(handled_net(4)), ElementsAre("bind_tcp", "connect_tcp"));
  EXPECT_THAT(scope_names(supported_scopes(6)), ElementsAre("abstract-unix", "signal"));
}

TEST(LandlockAbi, ProbeInterpretation) {
  EXPECT_EQ(*interpret_abi_probe(7, 0), 7);
  EXPECT_EQ(*interpret_abi_probe(1, 0), 1);

  auto nosys = interpret_abi_probe(-1, ENOSYS);
  ASSERT_FALSE(nosys.has_value());
  EXPECT_EQ(nosys.error().sys_errno, ENOSYS);
  EXPECT_THAT(nosys.error().message, HasSubstr("ENOSYS"));
  EXPECT_THAT(nosys.error().message, HasSubstr("CONFIG_SECURITY_LANDLOCK"));

  auto disabled = interpret_abi_probe(-1, EOPNOTSUPP);
  ASSERT_FALSE(disabled.has_value());
  EXPECT_EQ(disabled.error().sys_errno, EOPNOTSUPP);
  EXPECT_THAT(disabled.error().message, HasSubstr("disabled at boot"));
  EXPECT_THAT(disabled.error().message, HasSubstr("lsm="));

  auto other = interpret_abi_probe(-1, EPERM);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().sys_errno, EPERM);
  EXPECT_THAT(other.error().message, HasSubstr("unavailable"));
}

TEST(LandlockAbi, ProbeAgreesWithDetailedProbe) {
  auto detailed = probe_abi_detailed();
  if (!detailed.has_value()) {
    EXPECT_EQ(probe_abi(), 0);
    GTEST_SKIP() << detailed.error().message;
  }
  EXPECT_EQ(probe_abi(), *detailed);
  EXPECT_GE(*detailed, 1);
}

}  // namespace
}  // namespace sbx::landlock
