// Entry point of the network namespace helper (see netns_helper.h and netns_helper_main.cc).
#pragma once

#include <sys/types.h>

namespace sbx::launch {

// Runs in the process NetnsHelper::start cloned: enters the user namespace of the sandbox child
// `sandbox_pidfd` refers to, creates a network namespace there with loopback up, and sends it
// (or the call that failed) to the child over `to_child`. Dies with `parent`. Never returns.
[[noreturn]] void netns_helper_main(int sandbox_pidfd, int to_child, pid_t parent) noexcept;

}  // namespace sbx::launch
