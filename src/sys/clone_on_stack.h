// clone3 whose child runs a function on a stack of its own, which glibc 2.36 cannot do (its
// clone() wrapper predates clone3, so it has no CLONE_INTO_CGROUP). With CLONE_VM | CLONE_VFORK
// this starts a process without copying the parent's page tables (and without tearing them down
// again at its exit), while the parent waits, suspended, until the child exits or execs.
//
// A raw clone3 with a new stack cannot return into C++ in the child: its return address would
// be read from the empty new stack. So the child's side is a few instructions that call
// `fn(arg)` straight away on the new stack; fn must never return (it ends in _exit or execve).
// Only on x86-64; kCloneOnStackAvailable says whether this build has it.
#pragma once

#include <linux/sched.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>

namespace sbx::sys {

#if defined(__x86_64__)
inline constexpr bool kCloneOnStackAvailable = true;

// Returns the child's pid to the parent, or -errno. `args->stack` and `args->stack_size` must
// describe the child's stack (16-byte aligned at its top).
inline long clone3_on_stack(clone_args* args, void (*fn)(void*), void* arg) noexcept {
  long ret = SYS_clone3;
  // Callee-saved, so the kernel hands them to the child unchanged along with the rest.
  register void (*child_fn)(void*) asm("r12") = fn;
  register void* child_arg asm("r13") = arg;
  asm volatile(
      "syscall\n\t"
      "testq %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      // The child, on its own stack: no caller frames to unwind into.
      "xorl %%ebp, %%ebp\n\t"
      "movq %%r13, %%rdi\n\t"
      "callq *%%r12\n\t"
      "ud2\n\t"
      "1:\n\t"
      : "+a"(ret)
      : "D"(args), "S"(sizeof(*args)), "r"(child_fn), "r"(child_arg)
      : "rcx", "r11", "memory", "cc");
  return ret;
}
#else
inline constexpr bool kCloneOnStackAvailable = false;

inline long clone3_on_stack(clone_args*, void (*)(void*), void*) noexcept { return -ENOSYS; }
#endif

}  // namespace sbx::sys
