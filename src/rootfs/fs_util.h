// File-system helpers the rootfs store and builder share.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"

namespace sbx::rootfs {

// mkdir -p.
Status make_dirs(const std::string& path, mode_t mode);

}  // namespace sbx::rootfs
