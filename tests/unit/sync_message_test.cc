// The failure reports the sandbox child and the network helper send: a `what` too long for the
// fixed-size message is cut, never left without its NUL.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "launch/sync.h"

namespace sbx::launch {
namespace {

TEST(SyncMessageTest, AFailureNamesTheStageTheErrnoAndTheCall) {
  const Message m = failure_message(MessageKind::kSetupError, Stage::kMounts, ENOENT, "open_tree /usr");
  EXPECT_EQ(m.kind, MessageKind::kSetupError);
  EXPECT_EQ(m.stage, Stage::kMounts);
  EXPECT_EQ(m.sys_errno, ENOENT);
  EXPECT_STREQ(m.what, "open_tree /usr");
}

TEST(SyncMessageTest, ALongCallIsCutToFitWithItsNul) {
  const std::string long_path(1000, 'p');
  const Message m = failure_message(MessageKind::kNetns, Stage::kNetwork, EPERM, long_path.c_str());
  EXPECT_EQ(std::strlen(m.what), sizeof(m.what) - 1);
  EXPECT_EQ(std::string(m.what), long_path.substr(0, sizeof(m.what) - 1));
}

TEST(SyncMessageTest, NoCallLeavesWhatEmpty) {
  const Message m = failure_message(MessageKind::kSetupError, Stage::kExec, EACCES, nullptr);
  EXPECT_STREQ(m.what, "");
  EXPECT_EQ(m.sys_errno, EACCES);
}

}  // namespace
}  // namespace sbx::launch
