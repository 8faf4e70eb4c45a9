// File-system helpers the rootfs store and builder share.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx::rootfs {

// rm -rf of `name` inside `parent_fd`, without following symlinks. Gets through directories the
// owner made unwritable (a tree extracted as an ordinary user keeps modes such as 0555).
// `display` names the entry in errors.
Status remove_at(int parent_fd, const std::string& name, const std::string& display);

// remove_at for a path; a missing path is not an error.
Status remove_tree(const std::string& path);

// mkdir -p.
Status make_dirs(const std::string& path, mode_t mode);

std::optional<std::string> read_text_file(const std::string& path);

// Writes PATH.tmp-PID, then renames it over PATH.
Status write_file_atomically(const std::string& path, std::string_view contents, mode_t mode);

}  // namespace sbx::rootfs
