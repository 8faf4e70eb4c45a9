// The run-directory pool of the service: directories are made ahead in the background, every
// run gets one nobody used before, spent ones disappear, and nothing outlives the pool.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "rpc/run_directory_pool.h"
#include "scratch_root.h"

namespace sbx::rpc {
namespace {

namespace fs = std::filesystem;
using sbx::testing::ScratchRoot;
using namespace std::chrono_literals;

class RunDirectoryPoolTest : public ::testing::Test {
 protected:
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(root_)) names.insert(e.path().string());
    return names;
  }

  template <typename Condition>
  static bool eventually(Condition condition) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
      if (condition()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return condition();
  }

  ScratchRoot scratch_{"sbx-pool-test"};
  const std::string& root_ = scratch_.path();
};

TEST_F(RunDirectoryPoolTest, PreparesDirectoriesAheadAndHandsThemOut) {
  ASSERT_FALSE(root_.empty());
  RunDirectoryPool pool(root_, 2);
  ASSERT_TRUE(eventually([&] { return entries().size() == 2; }));
  const auto prepared = entries();
  auto dir = pool.take();
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ(prepared.count(dir->path()), 1u) << dir->path();
  EXPECT_TRUE(fs::is_empty(dir->workspace()));
  // The one taken is replaced: two ready again, plus the one in use.
  EXPECT_TRUE(eventually([&] { return entries().size() == 3; }));
}

TEST_F(RunDirectoryPoolTest, NoDirectoryIsHandedOutTwiceAndSpentOnesAreRemoved) {
  ASSERT_FALSE(root_.empty());
  RunDirectoryPool pool(root_, 2);
  std::set<std::string> seen;
  for (int i = 0; i < 8; ++i) {
    auto dir = pool.take();
    ASSERT_TRUE(dir) << dir.error().message;
    EXPECT_TRUE(seen.insert(dir->path()).second) << "handed out twice: " << dir->path();
    EXPECT_TRUE(fs::is_empty(dir->workspace())) << dir->path();
    // What a sandbox leaves behind, including a directory it made unreadable.
    const std::string left = dir->workspace() + "/left";
    ASSERT_EQ(::mkdir(left.c_str(), 0700), 0);
    UniqueFd file(::open((left + "/file").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(file.valid());
    ASSERT_EQ(::chmod(left.c_str(), 0), 0);
    pool.retire(std::move(*dir));
  }
  EXPECT_TRUE(eventually([&] {
    for (const auto& path : seen) {
      if (fs::exists(path)) return false;
    }
    return true;
  }));
}

TEST_F(RunDirectoryPoolTest, NothingOutlivesThePool) {
  ASSERT_FALSE(root_.empty());
  {
    RunDirectoryPool pool(root_, 3);
    ASSERT_TRUE(eventually([&] { return entries().size() == 3; }));
    auto in_use = pool.take();
    ASSERT_TRUE(in_use);
    auto spent = pool.take();
    ASSERT_TRUE(spent);
    pool.retire(std::move(*spent));
  }  // `in_use` goes first (a run still going at shutdown), then the pool with the rest
  EXPECT_TRUE(entries().empty());
}

TEST_F(RunDirectoryPoolTest, WithoutAheadWorkEverythingHappensAtOnce) {
  ASSERT_FALSE(root_.empty());
  RunDirectoryPool pool(root_, 0);
  std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(entries().empty());
  auto dir = pool.take();
  ASSERT_TRUE(dir) << dir.error().message;
  const std::string path = dir->path();
  EXPECT_TRUE(fs::is_directory(path));
  pool.retire(std::move(*dir));
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(RunDirectoryPoolTest, TakeReportsWhyNoDirectoryCanBeMade) {
  RunDirectoryPool pool("/nonexistent/sbx-pool-test", 2);
  auto dir = pool.take();
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("/nonexistent/sbx-pool-test"), std::string::npos) << dir.error().message;
}

// This process's threads that run at SCHED_IDLE: the housekeeping thread, if there is one.
std::vector<fs::path> idle_threads() {
  std::vector<fs::path> found;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    const pid_t tid = static_cast<pid_t>(std::stoi(task.path().filename().string()));
    if (::sched_getscheduler(tid) == SCHED_IDLE) found.push_back(task.path());
  }
  return found;
}

// The background work must never take a CPU from a sandbox that wants it.
TEST_F(RunDirectoryPoolTest, TheHousekeepingThreadRunsAtIdlePriority) {
  ASSERT_FALSE(root_.empty());
  EXPECT_TRUE(idle_threads().empty());
  RunDirectoryPool pool(root_, 1);
  ASSERT_TRUE(eventually([&] { return entries().size() == 1; }));
  EXPECT_EQ(idle_threads().size(), 1u);
}

// A signal sent to the process must not land on the housekeeping thread: the service's loop
// takes SIGTERM from a signalfd, and a thread that did not block it would die of it.
TEST_F(RunDirectoryPoolTest, TheHousekeepingThreadBlocksEverySignal) {
  ASSERT_FALSE(root_.empty());
  RunDirectoryPool pool(root_, 1);
  ASSERT_TRUE(eventually([&] { return entries().size() == 1; }));
  const auto threads = idle_threads();
  ASSERT_EQ(threads.size(), 1u);
  std::ifstream status(threads[0] / "status");
  int checked = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("SigBlk:", 0) != 0) continue;
    const unsigned long long blocked = std::stoull(line.substr(7), nullptr, 16);
    EXPECT_NE(blocked & (1ULL << (SIGTERM - 1)), 0u) << line;
    EXPECT_NE(blocked & (1ULL << (SIGINT - 1)), 0u) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

}  // namespace
}  // namespace sbx::rpc
