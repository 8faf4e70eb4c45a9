// The files of --env-file and --secret-file: one NAME=VALUE a line, read the way docker's
// --env-file is. Blank lines and lines starting with # are skipped; leading blanks and a
// trailing CR (a file written on Windows) are dropped; the rest of the line is kept as it is.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/caller_context.h"

namespace sbx::cli {

// Calls `entry` with each entry line and where it stands ("FLAG FILE:LINE", for its errors), and
// stops at the first error. A relative FILE is taken from the caller's working directory.
Status for_each_assignment_line(
    std::string_view flag, const std::string& file, const CallerContext& caller,
    const std::function<Status(std::string_view line, const std::string& origin)>& entry);

}  // namespace sbx::cli
