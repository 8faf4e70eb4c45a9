#include "rpc/abandoned_run_directories.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <string_view>

#include "base/directory_entries.h"
#include "base/remove_tree.h"
#include "base/unique_fd.h"
#include "rpc/run_directory.h"

namespace sbx::rpc {
namespace {

// What mkdtemp makes of RunDirectory's template: the prefix and six characters.
bool named_like_a_run_directory(std::string_view name) {
  return name.size() == kRunDirectoryPrefix.size() + 6 && name.substr(0, kRunDirectoryPrefix.size()) == kRunDirectoryPrefix;
}

}  // namespace

SweepResult remove_abandoned_run_directories(const std::string& root, std::chrono::seconds min_age) {
  SweepResult result;
  UniqueFd root_fd(::open(root.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!root_fd.valid()) return result;  // the front end reports an unusable root when it needs one
  const uid_t self = ::geteuid();
  const time_t newest = ::time(nullptr) - static_cast<time_t>(min_age.count());
  auto names = directory_entries(root_fd.get(), root);
  if (!names) return result;
  for (const auto& name : *names) {
    if (!named_like_a_run_directory(name)) continue;
    UniqueFd dir(::openat(root_fd.get(), name.c_str(), O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!dir.valid() || ::fstat(dir.get(), &st) != 0) continue;
    if (st.st_uid != self || st.st_mtime > newest) continue;
    // Held: its front end is alive. Taken: it stays ours until the tree is gone.
    if (::flock(dir.get(), LOCK_EX | LOCK_NB) != 0) continue;
    // The name may have been replaced since it was opened; remove only what is locked.
    struct stat now {};
    if (::fstatat(root_fd.get(), name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 || now.st_dev != st.st_dev ||
        now.st_ino != st.st_ino) {
      continue;
    }
    if (auto removed = remove_tree_at(root_fd.get(), name, root + "/" + name); removed) {
      ++result.removed;
    } else {
      result.failures.push_back("could not remove " + root + "/" + name + ", left by a front end that was killed: " +
                                removed.error().message);
    }
  }
  return result;
}

}  // namespace sbx::rpc
