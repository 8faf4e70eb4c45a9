// Parent side of starting a sandbox: clone3 into a new user and pid namespace as early as
// possible, write the id maps while the child creates its other namespaces, send the prelude it
// starts building the root with, publish the rest of the plan and release the child, have its
// network namespace made alongside (netns_helper.h), and own the result (pidfd + report socket)
// until it is reaped.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/pidfd_child.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "launch/launch_plan.h"
#include "launch/plan_arena.h"
#include "launch/prelude.h"

namespace sbx::launch {

struct IdMapping {
  uid_t inside_uid;
  uid_t outside_uid;
  gid_t inside_gid;
  gid_t outside_gid;
  bool deny_setgroups;  // required when an ordinary user maps its own gid
};

// Root on the host maps the sandbox onto the unprivileged 65534 (never host uid 0); anyone else
// maps onto themselves, the only mapping an unprivileged user namespace allows.
IdMapping choose_id_mapping(uid_t inside_uid, gid_t inside_gid, uid_t euid, gid_t egid);

// A started sandbox. Destroying it kills the sandbox init (and with it every process inside)
// and reaps it, unless wait() already did.
class Sandbox {
 public:
  Sandbox(pid_t pid, UniqueFd pidfd, UniqueFd report) noexcept
      : init_(pid, std::move(pidfd)), report_(std::move(report)) {}

  pid_t pid() const { return init_.pid(); }
  int pidfd() const { return init_.pidfd(); }
  int report_fd() const { return report_.get(); }

  // Reaps the init process once the pidfd is readable. Returns its wait status.
  Result<int> reap();
  void kill() noexcept { init_.signal(SIGKILL); }
  // Gives init up without reaping it, once it has reported the sandbox empty: it finishes
  // tearing its namespaces down on its own, and whoever inherits it when sbx exits reaps it.
  void detach() noexcept { init_.release(); }

 private:
  PidfdChild init_;  // killed and reaped if let go of otherwise
  UniqueFd report_;
};

// What clone3 needs, known before the plan is.
struct SandboxStart {
  bool unshare_network = true;
  // A cgroup v2 directory the sandbox (and its network helper) is born in (CLONE_INTO_CGROUP);
  // -1: sbx's own. Must stay open until release().
  int cgroup_fd = -1;
};

// A cloned child waiting for its plan. Destroying it without release() kills and reaps the child
// (which also exits by itself when the report socket closes).
class PendingSandbox {
 public:
  PendingSandbox(Sandbox sandbox, PlanArena arena, const SandboxStart& start) noexcept
      : sandbox_(std::move(sandbox)),
        arena_(std::move(arena)),
        unshare_network_(start.unshare_network),
        cgroup_fd_(start.cgroup_fd) {}

  pid_t pid() const { return sandbox_.pid(); }

  // Publishes the prelude and tells the child to start on it. Once, before release().
  Status send_prelude(Prelude& prelude);

  // Publishes the plan and sends the go message with the plan's descriptors; then, unless the
  // sandbox shares the host's network, makes its network namespace with the helper and reaps it.
  Result<Sandbox> release(LaunchPlan& plan) &&;

 private:
  Sandbox sandbox_;
  PlanArena arena_;
  bool unshare_network_;
  int cgroup_fd_;  // borrowed from the caller's cgroup, which outlives the release
  bool prelude_sent_ = false;
};

Result<PendingSandbox> start_sandbox(const SandboxStart& start, const IdMapping& ids);

}  // namespace sbx::launch
