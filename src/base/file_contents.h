// Whole files in and out. One implementation of reading a file into a string for everything in
// sbx that reads one (the host's /etc for the sandbox, policies, recipes, the service's
// configuration, the rootfs store, cgroup and /proc files), so each reports a read error instead
// of passing a file that failed halfway as a shorter one (what `stream << ifstream.rdbuf()` does);
// and one of writing a string out whole.
#pragma once

#include <sys/types.h>

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

// All of `data` written to the blocking descriptor `fd`, through short writes and EINTR. An
// error reads "DISPLAY: Broken pipe" (errno kept).
Status write_all(int fd, std::string_view data, std::string_view display);

// `path` replaced whole by `contents`, made with `mode`: written to PATH.tmp-PID beside it, then
// renamed over it, so a reader finds the old file or the new one and never part of either. The
// temporary file is removed again when a step fails; errors name the step and the file.
Status replace_file_contents(const std::string& path, std::string_view contents, mode_t mode);

}  // namespace sbx
