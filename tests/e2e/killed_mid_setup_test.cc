// The caller kills sbx at any moment of setup: nothing may stay behind holding the caller's
// output pipes, or a caller reading them to EOF would wait forever (a peer was seen leaving such
// an orphan).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sbx_runner.h"

extern char** environ;

namespace sbx::e2e {
namespace {

// True when the pipe's read end sees EOF within `limit` (every write end is closed).
bool reaches_eof(int fd, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n == 0) return true;
    if (n < 0 && errno != EINTR && errno != EAGAIN) return false;
  }
}

TEST(KilledMidSetupTest, NothingKeepsTheCallersPipesOpen) {
  const std::string sbx = sbx_binary();
  // Delays spread over the whole start (a few ms): before clone, while the child mounts, while
  // it confines itself, and once the program runs.
  for (int delay_us = 0; delay_us <= 6000; delay_us += 250) {
    int out[2];
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
    std::vector<std::string> args = {sbx, "exec", "--", "/bin/sleep", "30"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    ASSERT_EQ(::posix_spawn(&pid, sbx.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);

    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "killed after " << delay_us << " us";
    EXPECT_TRUE(reaches_eof(out[0], std::chrono::seconds(2)))
        << "killed after " << delay_us << " us: something still holds the caller's stdout/stderr";
    ::close(out[0]);
  }
}

}  // namespace
}  // namespace sbx::e2e
