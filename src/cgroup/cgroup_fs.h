// Small reads and writes of cgroup v2 interface files, and where this process sits in the
// unified hierarchy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx::cgroup {

// The cgroup2 mount point, from /proc/self/mountinfo (nullopt when there is none: a v1 or
// hybrid host without the unified hierarchy).
std::optional<std::string> find_cgroup2_mount(std::string_view mountinfo);
// "/user.slice/..." from the "0::" line of /proc/self/cgroup.
std::optional<std::string> own_cgroup_path(std::string_view proc_self_cgroup);

Status write_text(const std::string& path, std::string_view value);

// Space-separated controller names in cgroup.controllers / cgroup.subtree_control.
std::vector<std::string> split_words(std::string_view text);

// "key value" lines (memory.events, cpu.stat): the value of `key`, if present.
std::optional<uint64_t> keyed_value(std::string_view text, std::string_view key);

// The directory and its cgroup.procs and cgroup.subtree_control are writable by us: the
// cgroup is delegated to this user.
bool is_delegated(const std::string& dir);

}  // namespace sbx::cgroup
