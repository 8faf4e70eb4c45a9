// Entry point of the sandbox child (see child.cc for the rules it follows).
#pragma once

#include "launch/child_plan.h"

namespace sbx::launch {

// Runs in the process clone3 created. Creates the rest of its namespaces (the network namespace
// comes from the network helper), waits for the parent's go and the published plan, and never
// returns: it ends as the sandbox's init or in _exit after reporting a setup failure over
// start.report_fd.
[[noreturn]] void child_main(const ChildStart& start) noexcept;

}  // namespace sbx::launch
