// Listing a directory: the names in it but . and .., in the order the file system gives them.
// One implementation for everything in sbx that reads a directory by name (rm -rf, the rootfs
// store, the policy and recipe search paths, cgroups, /proc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx {

// The directory open at `dir_fd`, read through a copy of the descriptor from its start; the
// caller keeps `dir_fd`. Needs read permission on the directory, not search permission. An
// error reads "list DISPLAY: ...".
Result<std::vector<std::string>> directory_entries(int dir_fd, std::string_view display);

// The directory at `path`.
Result<std::vector<std::string>> directory_entries(const std::string& path);

}  // namespace sbx
