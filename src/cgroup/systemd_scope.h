// Asks systemd for a transient scope with Delegate=yes holding this process: what
// `systemd-run --user --scope -p Delegate=yes` does, as a StartTransientUnit call through
// busctl (sbx is linked statically and cannot load libsystemd). The user manager when
// unprivileged, the system manager as root.
#pragma once

#include <string>

#include "base/result.h"

namespace sbx::cgroup {

// Returns the scope's unit name once this process has been moved into it.
Result<std::string> move_into_delegated_scope();

}  // namespace sbx::cgroup
