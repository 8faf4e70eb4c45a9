#include "rootfs/host_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdint>

#include "base/file_contents.h"
#include "base/unique_fd.h"

namespace sbx::rootfs {

namespace {

FileKind kind_of_mode(mode_t mode) {
  if (S_ISDIR(mode)) return FileKind::kDirectory;
  if (S_ISREG(mode)) return FileKind::kRegular;
  if (S_ISLNK(mode)) return FileKind::kSymlink;
  return FileKind::kOther;
}

std::optional<FileKind> kind_of_dirent(unsigned char type) {
  switch (type) {
    case DT_DIR: return FileKind::kDirectory;
    case DT_REG: return FileKind::kRegular;
    case DT_LNK: return FileKind::kSymlink;
    case DT_UNKNOWN: return std::nullopt;  // the file system does not say: lstat will
    default: return FileKind::kOther;
  }
}

}  // namespace

const RealHostView::Entry& RealHostView::look_up(const std::string& path, bool need_mode) const {
  auto it = known_.find(path);
  if (it != known_.end() && (!need_mode || it->second.mode || !it->second.kind)) return it->second;
  Entry e;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    e.kind = kind_of_mode(st.st_mode);
    e.mode = static_cast<uint32_t>(st.st_mode & 07777);
  }
  return known_[path] = e;
}

std::optional<FileKind> RealHostView::kind(const std::string& path) const {
  return look_up(path, /*need_mode=*/false).kind;
}

std::optional<uint32_t> RealHostView::permissions(const std::string& path) const {
  return look_up(path, /*need_mode=*/true).mode;
}

std::optional<std::string> RealHostView::read_link(const std::string& path) const {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0 || static_cast<size_t>(n) >= sizeof(buf)) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> RealHostView::read_file(const std::string& path) const {
  return read_small_file(path, SIZE_MAX);
}

std::optional<std::string> RealHostView::read_small_file(const std::string& path, size_t max_bytes) const {
  auto contents = read_file_contents(path, max_bytes);
  if (!contents) return std::nullopt;
  return std::move(contents).value();
}

std::vector<std::string> RealHostView::list_dir(const std::string& path, size_t limit) const {
  return list(path, limit, nullptr);
}

std::vector<std::string> RealHostView::list_dir_matching(const std::string& path,
                                                         const std::function<bool(std::string_view)>& keep) const {
  return list(path, SIZE_MAX, &keep);
}

std::vector<std::string> RealHostView::list(const std::string& path, size_t limit,
                                            const std::function<bool(std::string_view)>* keep) const {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  const std::string prefix = path == "/" ? path : path + "/";
  while (names.size() < limit) {
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (keep != nullptr && !(*keep)(name)) continue;
    if (auto kind = kind_of_dirent(entry->d_type)) known_.try_emplace(prefix + std::string(name), Entry{kind, std::nullopt});
    names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sbx::rootfs
