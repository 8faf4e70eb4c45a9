#include "rootfs/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "base/unique_fd.h"

namespace sbx::rootfs {
namespace {

Status remove_children(int dir_fd, const std::string& display) {
  struct stat st {};
  if (::fstat(dir_fd, &st) == 0 && (st.st_mode & 0700) != 0700) (void)::fchmod(dir_fd, st.st_mode | 0700);
  UniqueFd list_fd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!list_fd.valid()) return errno_error("open " + display);
  DIR* dir = ::fdopendir(list_fd.get());
  if (dir == nullptr) return errno_error("list " + display);
  (void)list_fd.release();
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  for (const auto& name : names) SBX_RETURN_IF_ERROR(remove_at(dir_fd, name, display + "/" + name));
  return {};
}

// True when `name` in `parent_fd` is the root of a mount. Deleting through a mount would reach
// whatever is mounted there: a build interrupted before it unmounted /proc or /dev inside its
// tree must never cost the host its files.
bool is_mount_point(int parent_fd, const std::string& name) {
  struct statx stx {};
  if (::statx(parent_fd, name.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &stx) != 0) {
    return false;
  }
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

}  // namespace

Status remove_at(int parent_fd, const std::string& name, const std::string& display) {
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  struct stat st {};
  if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_error("stat " + display);
  if (!S_ISDIR(st.st_mode)) return errno_error("unlink " + display);
  if (is_mount_point(parent_fd, name)) {
    return make_error("not removing " + display + ": something is mounted there (unmount it first)");
  }
  UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid() && errno == EACCES) {
    (void)::fchmodat(parent_fd, name.c_str(), 0700, 0);
    fd.reset(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  }
  if (!fd.valid()) return errno_error("open " + display);
  SBX_RETURN_IF_ERROR(remove_children(fd.get(), display));
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return errno_error("rmdir " + display);
  }
  return {};
}

Status remove_tree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT ? Status{} : errno_error("stat " + path);
  const size_t slash = path.rfind('/');
  const std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  UniqueFd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.valid()) return errno_error("open " + parent);
  return remove_at(parent_fd.get(), path.substr(slash + 1), path);
}

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

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

Status write_file_atomically(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!fd.valid()) return errno_error("create " + tmp);
    size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n = ::write(fd.get(), contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const Error e = errno_error("write " + tmp);
        ::unlink(tmp.c_str());
        return e;
      }
      done += static_cast<size_t>(n);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const Error e = errno_error("rename " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

}  // namespace sbx::rootfs
