// The sandboxes' inits, which a service front end has to reap itself.
//
// A worker (`sbx exec`) ends as soon as its run's verdict is out, without waiting for the
// sandbox's init to finish tearing the sandbox down: that teardown is not the caller's time.
// The init is then re-parented to the nearest subreaper, or to PID 1. A front end that is a
// container's PID 1, or runs under one that reaps nothing but its own children (an agent that
// starts `sbx mcp`), would collect one zombie per run that way. So sbx serve, rpc and mcp
// are subreapers: every such init comes to them, and they reap the ones they did not start.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>

#include "base/result.h"

namespace sbx::rpc {

// PR_SET_CHILD_SUBREAPER for this process.
Status become_child_subreaper();

// Reaps every child of this process that has exited and that `ours` does not claim (those are
// reaped by whoever started them). Returns how many unclaimed children are still running.
size_t reap_orphans(const std::function<bool(pid_t)>& ours);

}  // namespace sbx::rpc
