// The sandbox's network namespace, made by a short-lived process of its own.
//
// A network namespace is the slowest namespace to create (about 0.4 ms) and nothing in it
// depends on the mounts, so the sandbox child does not make it itself. Once the parent has sent
// the plan (and its own CPU would idle), it clones this helper: the helper enters the child's
// user namespace, creates the network namespace there (owned by that user namespace, as if the
// child had made it), brings loopback up and sends the namespace to the child over the child's
// socket, while the child builds its root file system. The child joins it before it confines
// itself, and fails the run if it never comes.
//
// The helper shares the parent's memory (vfork's rules: the parent is suspended until it exits),
// so starting it copies no page tables. That memory is the supervisor's, so nothing in the sandbox
// may ever reach the helper. It stays outside the sandbox's pid namespace, where nothing in the
// sandbox can name it (the program is still PID 2 there); sending the namespace is its last act
// before _exit, and the child confines itself only after receiving it, so the helper is
// normally gone before the program starts; the parent reaps it. It keeps only the two
// descriptors it needs, so it never holds the caller's pipes, and it dies with the parent.
#pragma once

#include "base/pidfd_child.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::launch {

class NetnsHelper {
 public:
  // Clones the helper. `sandbox_pidfd`: the sandbox child, whose user namespace owns the new
  // network namespace; `to_child`: the socket end whose peer the child reads; `cgroup_fd`: the
  // cgroup the sandbox was born in, or -1.
  static Result<NetnsHelper> start(int sandbox_pidfd, int to_child, int cgroup_fd);

  // Reaps the helper. An error when something killed it: the child then never gets its
  // namespace. A failure the helper could report went to the child, which reports it.
  Status wait();

 private:
  explicit NetnsHelper(PidfdChild process) noexcept : process_(std::move(process)) {}

  PidfdChild process_;  // killed and reaped if nobody waited for it
};

}  // namespace sbx::launch
