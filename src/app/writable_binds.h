// A writable bind whose host directory the sandbox's user may not write is a run that fails
// later with EACCES and no word why, most often when root runs sbx: the sandbox then runs as host
// uid 65534 (launch::choose_id_mapping), which cannot write root's directories. Said up front.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "launch/spawn.h"
#include "policy/policy.h"

namespace sbx::app {

// Whether uid/gid (with no supplementary groups, as the sandbox of a root caller has) may write
// to a file of this owner and mode by its permission bits.
bool mode_lets_write(const struct stat& st, uid_t uid, gid_t gid);

// Why the sandbox could not write to `dir`, as the rest of a sentence that names it (": it is on
// a read-only file system", ": neither can you (uid 1000)", " (owner 0, mode 0755): when sbx runs
// as root ..."), or nothing when it can or sbx cannot tell. An ordinary caller is checked with
// faccessat (the sandbox has the caller's credentials); root's mapping to 65534 by owner and mode,
// and not at all where an ACL may say otherwise.
std::optional<std::string> why_sandbox_cannot_write(const std::string& dir, const launch::IdMapping& ids,
                                                    uid_t caller_euid);

// One warning per writable bind (the workspace with --rw, -v ...:rw) that the sandbox's host
// user cannot write, naming the flag, the directory and the fix.
std::vector<std::string> unwritable_bind_warnings(const policy::Policy& policy, const launch::IdMapping& ids,
                                                  uid_t caller_euid);

}  // namespace sbx::app
