// Pure path helpers. Nothing here touches the file system.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx {

// Lexically normalizes an absolute path: collapses "//" and "/./", strips a trailing "/".
// ".." is refused rather than resolved, because a sandbox path that climbs is almost always a
// mistake or an attack. Errors say what is wrong with `path`.
Result<std::string> normalize_sandbox_path(std::string_view path);

// True when `path` equals `dir` or lies beneath it (both normalized).
bool path_is_within(std::string_view path, std::string_view dir);

}  // namespace sbx
