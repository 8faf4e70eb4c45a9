// rm -rf, for trees sbx made or let a sandbox write: run directories, rootfs builds, trees in
// the rootfs store.
#pragma once

#include <string>

#include "base/result.h"

namespace sbx {

// Removes `name` inside `parent_fd` and everything beneath it. Never follows a symbolic link,
// never descends into a mount point (a build interrupted before it unmounted /proc or /dev
// inside its tree must not cost the host its files), and gets through directories their owner
// made unreadable or unwritable (a sandbox's 0000, an extracted tree's 0555). Goes on past an
// entry it cannot remove and then reports the first failure, naming it from `display` (the
// path a user would recognise `name` by). A missing `name` is not an error.
Status remove_tree_at(int parent_fd, const std::string& name, const std::string& display);

// remove_tree_at for a path.
Status remove_tree(const std::string& path);

}  // namespace sbx
