#include "base/remove_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "base/directory_entries.h"
#include "base/unique_fd.h"

namespace sbx {
namespace {

// Deeper than any tree sbx makes; a sandbox nesting directories further gets an error, not a
// stack overflow in the process cleaning up after it.
constexpr int kMaxDepth = 512;

bool is_mount_point(int parent_fd, const std::string& name) {
  struct statx stx {};
  if (::statx(parent_fd, name.c_str(), AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &stx) != 0) {
    return false;
  }
  return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
}

// A directory its owner made unreadable (a sandbox's chmod 000): given back its owner's rights
// and opened. Everything goes through one descriptor of the directory itself, taken without
// following a symbolic link, so a name swapped for a link meanwhile cannot redirect the chmod
// (fchmodat follows links; fchmodat2's AT_SYMLINK_NOFOLLOW needs Linux 6.6).
UniqueFd open_unreadable_directory(int parent_fd, const std::string& name) {
  UniqueFd path(::openat(parent_fd, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!path.valid()) return path;
  const std::string self = "/proc/self/fd/" + std::to_string(path.get());
  if (::chmod(self.c_str(), 0700) != 0) return UniqueFd();
  return UniqueFd(::openat(path.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

Status remove_entry(int parent_fd, const std::string& name, const std::string& display, int depth);

Status remove_children(int dir_fd, const std::string& display, int depth) {
  SBX_ASSIGN_OR_RETURN(const std::vector<std::string> names, directory_entries(dir_fd, display));
  Status first_failure;
  for (const auto& name : names) {
    auto removed = remove_entry(dir_fd, name, display + "/" + name, depth);
    if (!removed && first_failure) first_failure = std::move(removed);
  }
  return first_failure;
}

Status remove_entry(int parent_fd, const std::string& name, const std::string& display, int depth) {
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  const int unlink_errno = errno;  // EISDIR, or POSIX's EPERM, for a directory
  if (unlink_errno != EISDIR && unlink_errno != EPERM) return errno_error("unlink " + display);
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return {};
  if (errno == ENOTDIR) {
    errno = unlink_errno;
    return errno_error("unlink " + display);
  }
  if (errno != ENOTEMPTY && errno != EEXIST && errno != EACCES && errno != EBUSY) return errno_error("rmdir " + display);
  if (is_mount_point(parent_fd, name)) {
    return make_error("not removing " + display + ": something is mounted there (unmount it first)");
  }
  if (depth >= kMaxDepth) {
    return make_error("remove " + display + ": nested more than " + std::to_string(kMaxDepth) + " deep");
  }
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd dir(::openat(parent_fd, name.c_str(), kFlags));
  if (!dir.valid() && errno == EACCES) dir = open_unreadable_directory(parent_fd, name);
  if (!dir.valid()) return errno_error("open " + display);
  struct stat st {};
  // Entries of a directory without write permission cannot be removed.
  if (::fstat(dir.get(), &st) == 0 && (st.st_mode & 0700) != 0700) (void)::fchmod(dir.get(), st.st_mode | 0700);
  SBX_RETURN_IF_ERROR(remove_children(dir.get(), display, depth + 1));
  if (::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return errno_error("rmdir " + display);
  return {};
}

}  // namespace

Status remove_tree_at(int parent_fd, const std::string& name, const std::string& display) {
  return remove_entry(parent_fd, name, display, 0);
}

Status remove_tree(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  UniqueFd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.valid()) return errno == ENOENT ? Status{} : errno_error("open " + parent);
  return remove_entry(parent_fd.get(), slash == std::string::npos ? path : path.substr(slash + 1), path, 0);
}

}  // namespace sbx
