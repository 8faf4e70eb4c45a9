// Name service lookups through getent, and the helper-program runner under them.
#include "base/accounts.h"

#include <gtest/gtest.h>

#include <chrono>

#include "base/command_output.h"

namespace sbx {
namespace {

using namespace std::chrono_literals;

TEST(ParseAccountLine, TakesTheNameAndTheThirdField) {
  auto user = parse_account_line("alice:x:1001:1001:Alice,,,:/home/alice:/bin/bash");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->name, "alice");
  EXPECT_EQ(user->id, 1001u);
  auto group = parse_account_line("sbx:x:998:alice,bob");
  ASSERT_TRUE(group);
  EXPECT_EQ(group->name, "sbx");
  EXPECT_EQ(group->id, 998u);
  auto no_members = parse_account_line("nogroup:x:65534:");
  ASSERT_TRUE(no_members);
  EXPECT_EQ(no_members->id, 65534u);
}

TEST(ParseAccountLine, RejectsWhatIsNotAnEntry) {
  for (const char* bad : {"", "alice", "alice:x", ":x:1:", "alice:x::", "alice:x:12a:", "alice:x:-1:", "alice:x:4294967296:",
                          "alice:x:99999999999999999999999:"}) {
    EXPECT_FALSE(parse_account_line(bad)) << bad;
  }
}

// Every Debian system has root and nogroup in its local files.
TEST(Accounts, LooksUpNamesAndIdsThroughTheNameService) {
  EXPECT_EQ(user_id("root"), uid_t{0});
  EXPECT_EQ(group_id("root"), gid_t{0});
  EXPECT_EQ(group_id("nogroup"), gid_t{65534});
  EXPECT_EQ(user_name(0), "root");
}

TEST(Accounts, UnknownOrOptionLikeNamesMatchNothing) {
  EXPECT_FALSE(user_id("sbx-no-such-user-4242"));
  EXPECT_FALSE(group_id("sbx-no-such-group-4242"));
  // getent would read these as options, not names.
  EXPECT_FALSE(user_id("--help"));
  EXPECT_FALSE(group_id("-s"));
  EXPECT_FALSE(user_id("root:x"));
  EXPECT_FALSE(user_id(""));
}

TEST(RunCommand, CollectsOutputAndExitStatus) {
  auto run = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10s);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->out, "out\n");
  EXPECT_EQ(run->err, "err\n");
}

TEST(RunCommand, AMissingProgramIsAnErrorWithItsErrno) {
  auto run = run_command({"sbx-no-such-program-4242"}, 10s);
  ASSERT_FALSE(run);
  EXPECT_EQ(run.error().sys_errno, ENOENT);
}

TEST(RunCommand, OutputIsBoundedAndAHangingCommandIsKilledInTime) {
  auto big = run_command({"sh", "-c", "head -c 1000000 /dev/zero"}, 10s);
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->out.size(), kCommandOutputLimit);

  const auto start = std::chrono::steady_clock::now();
  // The grandchild keeps the pipes open: the whole process group must go.
  auto hung = run_command({"sh", "-c", "sleep 30 & sleep 30"}, 300ms);
  EXPECT_FALSE(hung);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace sbx
