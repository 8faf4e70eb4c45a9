// Parent side of starting a sandbox: clone3 into new namespaces, write the id maps, release the
// child, and own the result (pidfd + report socket) until it is reaped.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "launch/launch_plan.h"

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
      : pid_(pid), pidfd_(std::move(pidfd)), report_(std::move(report)) {}
  Sandbox(Sandbox&& other) noexcept;
  Sandbox& operator=(Sandbox&&) = delete;
  ~Sandbox();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  int report_fd() const { return report_.get(); }

  // Reaps the init process once the pidfd is readable. Returns its wait status.
  Result<int> reap();
  void kill() noexcept;
  // Gives init up without reaping it, once it has reported the sandbox empty: it finishes
  // tearing its namespaces down on its own, and whoever inherits it when sbx exits reaps it.
  void detach() noexcept { reaped_ = true; }

 private:
  pid_t pid_;
  UniqueFd pidfd_;
  UniqueFd report_;
  bool reaped_ = false;
};

Result<Sandbox> spawn_sandbox(LaunchPlan& plan, const IdMapping& ids);

}  // namespace sbx::launch
