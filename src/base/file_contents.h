// Reading a whole file into a string. One implementation for everything in sbx that reads a file
// by name (the host's /etc for the sandbox, policies, recipes, the service's configuration, the
// rootfs store, cgroup and /proc files), so each reports a read error instead of passing a file
// that failed halfway as a shorter one (what `stream << ifstream.rdbuf()` does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx {

// The rest of the file open at `fd`, read from its current offset. `display` starts every error:
// "DISPLAY: Input/output error" (errno kept), or "DISPLAY: larger than SIZE" with EFBIG when it
// has more than `max_bytes`. A regular file is read in one read(2) when fstat's size is right,
// and /proc or cgroup files (size 0) in a few.
Result<std::string> read_file_contents(int fd, std::string_view display, size_t max_bytes = SIZE_MAX);

// The file at `path`; errors start with the path.
Result<std::string> read_file_contents(const std::string& path, size_t max_bytes = SIZE_MAX);

}  // namespace sbx
