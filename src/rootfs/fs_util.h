// File-system helpers the rootfs store and builder share.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx::rootfs {

// mkdir -p.
Status make_dirs(const std::string& path, mode_t mode);

// Writes PATH.tmp-PID, then renames it over PATH.
Status write_file_atomically(const std::string& path, std::string_view contents, mode_t mode);

}  // namespace sbx::rootfs
