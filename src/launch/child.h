// Entry point of the sandbox child (see child.cc for the rules it follows).
#pragma once

#include "launch/child_plan.h"

namespace sbx::launch {

// Runs in the process clone3 created. Never returns: it ends as the sandbox's init or in _exit
// after reporting a setup failure over plan.report_fd.
[[noreturn]] void child_main(const ChildPlan& plan) noexcept;

}  // namespace sbx::launch
