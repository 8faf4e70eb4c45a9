// Asks systemd for a transient scope with Delegate=yes holding this process: what
// `systemd-run --user --scope -p Delegate=yes` does, over D-Bus. The user manager when
// unprivileged, the system manager as root. libsystemd is loaded only when this is needed, so
// sbx neither depends on it nor pays its load time on every run.
#pragma once

#include <string>

#include "base/result.h"

namespace sbx::cgroup {

// Returns the scope's unit name once this process has been moved into it.
Result<std::string> move_into_delegated_scope();

}  // namespace sbx::cgroup
