#include "rootfs/fs_util.h"

#include <sys/stat.h>

#include <cerrno>

namespace sbx::rootfs {

Status make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return make_error("empty directory path");
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return errno_error("mkdir " + prefix);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return make_error(path + ": not a directory");
  return {};
}

}  // namespace sbx::rootfs
