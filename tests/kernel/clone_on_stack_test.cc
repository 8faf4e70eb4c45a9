// sys::clone3_on_stack, which the network namespace helper is started with: the child must run
// the function on the stack it was given, in the parent's memory, while the parent waits.
#include "sys/clone_on_stack.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>

namespace sbx::sys {
namespace {

struct Shared {
  uintptr_t local_address = 0;  // where the child's frame lay
  pid_t child_pid = 0;
  int exit_code = 0;
};

void record_and_exit(void* p) {
  auto* shared = static_cast<Shared*>(p);
  // The frame itself, not a local's address: a sanitizer may keep locals on a heap "fake stack".
  shared->local_address = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  shared->child_pid = ::getpid();
  ::_exit(shared->exit_code);
}

TEST(CloneOnStackTest, TheChildRunsOnItsStackInTheParentsMemoryWhileTheParentWaits) {
  if (!kCloneOnStackAvailable) GTEST_SKIP() << "no clone3_on_stack on this architecture";
  alignas(16) std::array<std::byte, 16 * 1024> stack{};
  Shared shared;
  shared.exit_code = 7;
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<uint64_t>(stack.data());
  args.stack_size = stack.size();
  const long pid = clone3_on_stack(&args, record_and_exit, &shared);
  ASSERT_GT(pid, 0) << "clone3: errno " << -pid;
  // CLONE_VFORK: by now the child has run to its exit, and its writes are this process's.
  EXPECT_EQ(shared.child_pid, pid);
  const auto base = reinterpret_cast<uintptr_t>(stack.data());
  EXPECT_GE(shared.local_address, base);
  EXPECT_LT(shared.local_address, base + stack.size());
  int status = 0;
  ASSERT_EQ(::waitpid(static_cast<pid_t>(pid), &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST(CloneOnStackTest, AFailedCloneReturnsMinusErrnoInTheParentOnly) {
  if (!kCloneOnStackAvailable) GTEST_SKIP() << "no clone3_on_stack on this architecture";
  Shared shared;
  clone_args args{};
  // A stack size without a stack is invalid.
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  args.stack_size = 4096;
  EXPECT_EQ(clone3_on_stack(&args, record_and_exit, &shared), -EINVAL);
  EXPECT_EQ(shared.child_pid, 0);
}

}  // namespace
}  // namespace sbx::sys
