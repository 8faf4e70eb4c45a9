// Shrinks a freshly built tree and applies a recipe's post-build steps. Everything here works
// relative to an fd of the tree's top, never through a path that a symlink inside the tree could
// redirect to the host (the builder may run as root).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "rootfs/recipe.h"

namespace sbx::rootfs {

// fnmatch(3) without FNM_PATHNAME, as dpkg's path-exclude uses it.
bool trim_pattern_matches(std::string_view pattern, std::string_view path);

// True when `path` (absolute inside the tree) is to be removed under `rules`.
bool trim_removes(const TrimRules& rules, std::string_view path);

struct TrimStats {
  uint64_t removed_entries = 0;
  uint64_t removed_bytes = 0;
};

// Removes, bottom-up, every entry `trim_removes` selects; a selected directory goes only when it
// ends up empty (what dpkg does with path-exclude). `interrupted` is polled per directory.
Result<TrimStats> apply_trim(const std::string& root, const TrimRules& rules,
                             const std::function<bool()>& interrupted = {});

// Runs the steps in order. A remove pattern deletes each match with everything below it; write
// creates missing parent directories (0755) and replaces what was there.
Status apply_post_build(const std::string& root, const std::vector<PostBuildStep>& steps);

// Empties the tree's /dev: sbx mounts its own /dev over it, and device nodes in a store are
// only a liability.
Status empty_dev(const std::string& root);

}  // namespace sbx::rootfs
