#include "app/writable_binds.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

namespace sbx::app {
namespace {

struct stat with(uid_t uid, gid_t gid, mode_t mode) {
  struct stat st {};
  st.st_uid = uid;
  st.st_gid = gid;
  st.st_mode = S_IFDIR | mode;
  return st;
}

TEST(ModeLetsWrite, TheOwnerClassDecidesForTheOwner) {
  EXPECT_TRUE(mode_lets_write(with(65534, 0, 0700), 65534, 65534));
  EXPECT_FALSE(mode_lets_write(with(65534, 65534, 0577), 65534, 65534)) << "owner bits win over group and other";
}

TEST(ModeLetsWrite, TheGroupClassDecidesForTheGroup) {
  EXPECT_TRUE(mode_lets_write(with(0, 65534, 0770), 65534, 65534));
  EXPECT_FALSE(mode_lets_write(with(0, 65534, 0757), 65534, 65534));
}

TEST(ModeLetsWrite, OthersNeedTheOtherBit) {
  EXPECT_FALSE(mode_lets_write(with(0, 0, 0755), 65534, 65534)) << "root's usual directory";
  EXPECT_TRUE(mode_lets_write(with(0, 0, 01777), 65534, 65534)) << "/tmp";
  EXPECT_FALSE(mode_lets_write(with(0, 0, 0775), 65534, 65534)) << "no supplementary groups to count on";
}

}  // namespace
}  // namespace sbx::app
