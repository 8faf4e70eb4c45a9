#include "rootfs/trim.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/directory_entries.h"
#include "base/file_contents.h"
#include "base/remove_tree.h"
#include "base/unique_fd.h"
#include "sys/raw_syscalls.h"

namespace sbx::rootfs {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

class Trimmer {
 public:
  Trimmer(const TrimRules& rules, const std::function<bool()>& interrupted) : rules_(rules), interrupted_(interrupted) {}

  // Returns whether the directory is empty afterwards.
  Result<bool> trim_dir(int dir_fd, const std::string& path) {
    if (interrupted_ && interrupted_()) return make_error("interrupted");
    bool empty = true;
    SBX_ASSIGN_OR_RETURN(const std::vector<std::string> names, directory_entries(dir_fd, path.empty() ? "/" : path));
    for (const auto& name : names) {
      const std::string child = path + "/" + name;
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_error("stat " + child);
      const bool selected = trim_removes(rules_, child);
      if (S_ISDIR(st.st_mode)) {
        UniqueFd sub(::openat(dir_fd, name.c_str(), kDirFlags));
        if (!sub.valid()) return errno_error("open " + child);
        SBX_ASSIGN_OR_RETURN(const bool now_empty, trim_dir(sub.get(), child));
        if (selected && now_empty) {
          if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) return errno_error("rmdir " + child);
          ++stats_.removed_entries;
          continue;
        }
      } else if (selected) {
        if (::unlinkat(dir_fd, name.c_str(), 0) != 0) return errno_error("unlink " + child);
        ++stats_.removed_entries;
        if (S_ISREG(st.st_mode)) stats_.removed_bytes += static_cast<uint64_t>(st.st_size);
        continue;
      }
      empty = false;
    }
    return empty;
  }

  TrimStats stats() const { return stats_; }

 private:
  const TrimRules& rules_;
  const std::function<bool()>& interrupted_;
  TrimStats stats_;
};

// Deletes every entry matching `pattern`, with everything below it.
Status remove_matching(int dir_fd, const std::string& path, const std::string& pattern) {
  SBX_ASSIGN_OR_RETURN(const std::vector<std::string> names, directory_entries(dir_fd, path.empty() ? "/" : path));
  for (const auto& name : names) {
    const std::string child = path + "/" + name;
    if (trim_pattern_matches(pattern, child)) {
      SBX_RETURN_IF_ERROR(remove_tree_at(dir_fd, name, child));
      continue;
    }
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      UniqueFd sub(::openat(dir_fd, name.c_str(), kDirFlags));
      if (!sub.valid()) return errno_error("open " + child);
      SBX_RETURN_IF_ERROR(remove_matching(sub.get(), child, pattern));
    }
  }
  return {};
}

// Opens (creating as needed) the directory holding `path` inside the tree. RESOLVE_IN_ROOT makes
// every symlink on the way, absolute ones included, resolve as if the tree were "/".
Result<UniqueFd> open_parent_in_tree(int root_fd, const std::string& path) {
  auto open_in_root = [root_fd](const std::string& rel) {
    return UniqueFd(sys::openat2(root_fd, rel.empty() ? "." : rel.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                                 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
  };
  const std::string parent = path.substr(1, path.rfind('/') == 0 ? 0 : path.rfind('/') - 1);
  // Each prefix is resolved from the top, so a symlink met on the way resolves the same way it
  // would inside the sandbox.
  UniqueFd dir = open_in_root("");
  if (!dir.valid()) return errno_error("open the tree");
  size_t pos = 0;
  while (pos < parent.size()) {
    size_t end = parent.find('/', pos);
    if (end == std::string::npos) end = parent.size();
    const std::string part = parent.substr(pos, end - pos);
    const std::string prefix = parent.substr(0, end);
    pos = end + 1;
    if (part.empty()) continue;
    UniqueFd next = open_in_root(prefix);
    if (!next.valid() && errno == ENOENT) {
      if (::mkdirat(dir.get(), part.c_str(), 0755) != 0) return errno_error("mkdir /" + prefix);
      next = open_in_root(prefix);
    }
    if (!next.valid()) return errno_error("open /" + prefix);
    dir = std::move(next);
  }
  return dir;
}

Status write_in_tree(int root_fd, const PostBuildStep& step) {
  SBX_ASSIGN_OR_RETURN(UniqueFd parent, open_parent_in_tree(root_fd, step.path));
  const std::string name = step.path.substr(step.path.rfind('/') + 1);
  SBX_RETURN_IF_ERROR(remove_tree_at(parent.get(), name, step.path));
  if (step.kind == PostBuildStep::Kind::kSymlink) {
    if (::symlinkat(step.target.c_str(), parent.get(), name.c_str()) != 0) return errno_error("symlink " + step.path);
    return {};
  }
  UniqueFd fd(::openat(parent.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, step.mode));
  if (!fd.valid()) return errno_error("create " + step.path);
  SBX_RETURN_IF_ERROR(write_all(fd.get(), step.contents, "write " + step.path));
  // The umask must not decide the mode the recipe asked for.
  if (::fchmod(fd.get(), step.mode) != 0) return errno_error("chmod " + step.path);
  return {};
}

}  // namespace

bool trim_pattern_matches(std::string_view pattern, std::string_view path) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(path).c_str(), 0) == 0;
}

bool trim_removes(const TrimRules& rules, std::string_view path) {
  bool removed = false;
  for (const auto& p : rules.remove) removed = removed || trim_pattern_matches(p, path);
  if (!removed) return false;
  for (const auto& p : rules.keep) {
    if (trim_pattern_matches(p, path)) return false;
  }
  return true;
}

Result<TrimStats> apply_trim(const std::string& root, const TrimRules& rules, const std::function<bool()>& interrupted) {
  UniqueFd fd(::open(root.c_str(), kDirFlags));
  if (!fd.valid()) return errno_error("open " + root);
  Trimmer trimmer(rules, interrupted);
  SBX_RETURN_IF_ERROR(trimmer.trim_dir(fd.get(), ""));
  return trimmer.stats();
}

Status apply_post_build(const std::string& root, const std::vector<PostBuildStep>& steps) {
  UniqueFd root_fd(::open(root.c_str(), kDirFlags));
  if (!root_fd.valid()) return errno_error("open " + root);
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    const std::string what = "post_build[" + std::to_string(i) + "]";
    Status status = step.kind == PostBuildStep::Kind::kRemove ? remove_matching(root_fd.get(), "", step.path)
                                                              : write_in_tree(root_fd.get(), step);
    if (!status) return std::move(status).error().context(what);
  }
  return {};
}

Status empty_dev(const std::string& root) {
  UniqueFd root_fd(::open(root.c_str(), kDirFlags));
  if (!root_fd.valid()) return errno_error("open " + root);
  UniqueFd dev(::openat(root_fd.get(), "dev", kDirFlags));
  if (!dev.valid()) {
    if (errno != ENOENT) return errno_error("open /dev");
    if (::mkdirat(root_fd.get(), "dev", 0755) != 0) return errno_error("mkdir /dev");
    return {};
  }
  SBX_ASSIGN_OR_RETURN(const std::vector<std::string> names, directory_entries(dev.get(), "/dev"));
  for (const auto& name : names) SBX_RETURN_IF_ERROR(remove_tree_at(dev.get(), name, "/dev/" + name));
  return {};
}

}  // namespace sbx::rootfs
