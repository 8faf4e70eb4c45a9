// Run directories a killed front end left behind are removed by the next one, and nothing else
// is: not a directory a live front end holds, not one too young to be locked yet, not anything
// that only looks like a run directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "rpc/abandoned_run_directories.h"
#include "rpc/run_directory.h"
#include "rpc/run_directory_pool.h"
#include "scratch_root.h"

namespace sbx::rpc {
namespace {

namespace fs = std::filesystem;
using sbx::testing::ScratchRoot;
using namespace std::chrono_literals;

class AbandonedRunDirectoriesTest : public ::testing::Test {
 protected:
  // Sets the modification time an hour back, as if made long ago.
  static void age(const std::string& path) {
    const timespec old{::time(nullptr) - 3600, 0};
    const timespec times[2] = {old, old};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
  }

  // What a killed front end leaves: a run directory with a workspace the sandbox filled, one
  // of its directories made unreadable, and nobody holding the lock.
  static bool eventually_gone(const std::string& path) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
      if (!fs::exists(fs::symlink_status(path))) return true;
      std::this_thread::sleep_for(5ms);
    }
    return !fs::exists(fs::symlink_status(path));
  }

  std::string left_behind(const std::string& name) {
    const std::string dir = root_ + "/" + name;
    EXPECT_EQ(::mkdir(dir.c_str(), 0700), 0);
    fs::create_directories(dir + "/workspace/deep/er");
    std::ofstream(dir + "/workspace/deep/er/result.txt") << "secret output";
    EXPECT_EQ(::chmod((dir + "/workspace/deep").c_str(), 0), 0);
    age(dir);
    return dir;
  }

  ScratchRoot scratch_{"sbx-sweep-test"};
  const std::string& root_ = scratch_.path();
};

TEST_F(AbandonedRunDirectoriesTest, RemovesAnUnlockedOldRunDirectoryWithEverythingInIt) {
  ASSERT_FALSE(root_.empty());
  const std::string dir = left_behind("sbx-run.a1B2c3");
  const SweepResult result = remove_abandoned_run_directories(root_, 60s);
  EXPECT_EQ(result.removed, 1u);
  EXPECT_TRUE(result.failures.empty()) << result.failures.front();
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir)));
}

TEST_F(AbandonedRunDirectoriesTest, KeepsTheDirectoriesOfALiveFrontEnd) {
  ASSERT_FALSE(root_.empty());
  auto live = RunDirectory::create(root_, std::nullopt);
  ASSERT_TRUE(live) << live.error().message;
  age(live->path());
  const std::string dead = left_behind("sbx-run.zZ9yY8");
  const SweepResult result = remove_abandoned_run_directories(root_, 60s);
  EXPECT_EQ(result.removed, 1u);
  EXPECT_TRUE(fs::is_directory(live->workspace())) << "a directory in use was removed";
  EXPECT_FALSE(fs::exists(fs::symlink_status(dead)));
  // Its owner still removes it as before, lock and all.
  const std::string path = live->path();
  ASSERT_TRUE(live->remove());
  EXPECT_FALSE(fs::exists(fs::symlink_status(path)));
}

TEST_F(AbandonedRunDirectoriesTest, KeepsOneTooYoungToBeLockedYet) {
  ASSERT_FALSE(root_.empty());
  const std::string dir = root_ + "/sbx-run.n3wOne";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  EXPECT_EQ(remove_abandoned_run_directories(root_, 60s).removed, 0u);
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST_F(AbandonedRunDirectoriesTest, LeavesAloneWhatOnlyLooksLikeARunDirectory) {
  ASSERT_FALSE(root_.empty());
  // A symbolic link to a directory elsewhere: neither it nor what it points to is touched.
  const std::string elsewhere = root_ + "/elsewhere";
  ASSERT_EQ(::mkdir(elsewhere.c_str(), 0700), 0);
  std::ofstream(elsewhere + "/keep") << "x";
  age(elsewhere);
  ASSERT_EQ(::symlink(elsewhere.c_str(), (root_ + "/sbx-run.l1nk00").c_str()), 0);
  age(root_ + "/sbx-run.l1nk00");
  std::ofstream(root_ + "/sbx-run.f1le00") << "a file";
  age(root_ + "/sbx-run.f1le00");
  const std::string other_names[] = {"sbx-run.toolong1", "sbx-run.short", "sbx-runs.abcdef", "project"};
  for (const auto& name : other_names) {
    ASSERT_EQ(::mkdir((root_ + "/" + name).c_str(), 0700), 0);
    age(root_ + "/" + name);
  }
  EXPECT_EQ(remove_abandoned_run_directories(root_, 60s).removed, 0u);
  EXPECT_TRUE(fs::exists(elsewhere + "/keep"));
  EXPECT_TRUE(fs::is_symlink(root_ + "/sbx-run.l1nk00"));
  EXPECT_TRUE(fs::is_regular_file(root_ + "/sbx-run.f1le00"));
  for (const auto& name : other_names) EXPECT_TRUE(fs::is_directory(root_ + "/" + name)) << name;
}

TEST_F(AbandonedRunDirectoriesTest, LeavesAnotherUsersDirectoriesAlone) {
  ASSERT_FALSE(root_.empty());
  if (::geteuid() != 0) GTEST_SKIP() << "only root can make a directory another user owns";
  const std::string dir = left_behind("sbx-run.n0b0dy");
  ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
  EXPECT_EQ(remove_abandoned_run_directories(root_, 60s).removed, 0u);
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST_F(AbandonedRunDirectoriesTest, AMissingRootIsNothingToDo) {
  const SweepResult result = remove_abandoned_run_directories("/nonexistent/sbx-sweep-test", 60s);
  EXPECT_EQ(result.removed, 0u);
  EXPECT_TRUE(result.failures.empty());
}

// Every front end, sbx rpc's pool that keeps nothing ready included, sweeps its root as it starts.
TEST_F(AbandonedRunDirectoriesTest, APoolSweepsItsRootInTheBackground) {
  ASSERT_FALSE(root_.empty());
  for (size_t keep_ready : {0u, 2u}) {
    const std::string dir = left_behind("sbx-run.p00l0" + std::to_string(keep_ready));
    RunDirectoryPool pool(root_, keep_ready);
    EXPECT_TRUE(eventually_gone(dir)) << "keep_ready " << keep_ready;
  }
}

// A long-lived front end (sbx serve) sweeps again now and again: agents' sbx rpc processes may
// be killed in the same root long after it started.
TEST_F(AbandonedRunDirectoriesTest, APoolSweepsAgainNowAndAgain) {
  ASSERT_FALSE(root_.empty());
  RunDirectoryPool pool(root_, 0, 50ms);
  std::this_thread::sleep_for(100ms);  // well past the first sweep
  const std::string dir = left_behind("sbx-run.l4t3r0");
  EXPECT_TRUE(eventually_gone(dir));
}

}  // namespace
}  // namespace sbx::rpc
