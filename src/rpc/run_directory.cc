#include "rpc/run_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include <spdlog/spdlog.h>

#include "base/file_contents.h"
#include "base/remove_tree.h"
#include "launch/spawn.h"
#include "sys/raw_syscalls.h"

namespace sbx::rpc {
namespace {

constexpr uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

Status give(int fd, std::optional<SandboxOwner> owner, const std::string& what) {
  if (owner && ::fchown(fd, owner->uid, owner->gid) != 0) return errno_error("chown " + what);
  return {};
}

// Opens (creating if needed) the directory `name` inside `parent`, refusing symlinks.
Result<UniqueFd> open_subdir(int parent, const std::string& name, std::optional<SandboxOwner> owner, bool* created) {
  *created = ::mkdirat(parent, name.c_str(), 0755) == 0;
  if (!*created && errno != EEXIST) return errno_error("mkdir " + name);
  UniqueFd fd(sys::openat2(parent, name.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW, kBeneath));
  if (!fd.valid()) return errno_error("open " + name);
  if (*created) SBX_RETURN_IF_ERROR(give(fd.get(), owner, name));
  return fd;
}

Status write_file(int dir_fd, const WorkspaceFile& file, std::optional<SandboxOwner> owner) {
  UniqueFd current(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 3));
  if (!current.valid()) return errno_error("dup");
  std::string rest = file.path;
  for (size_t slash; (slash = rest.find('/')) != std::string::npos;) {
    bool created = false;
    SBX_ASSIGN_OR_RETURN(current, open_subdir(current.get(), rest.substr(0, slash), owner, &created));
    rest.erase(0, slash + 1);
  }
  if (::unlinkat(current.get(), rest.c_str(), 0) != 0 && errno != ENOENT) return errno_error("replace " + file.path);
  const mode_t mode = file.executable ? 0755 : 0644;
  UniqueFd out(::openat(current.get(), rest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!out.valid()) return errno_error("create " + file.path);
  SBX_RETURN_IF_ERROR(write_all(out.get(), file.content, "write " + file.path));
  if (::fchmod(out.get(), mode) != 0) return errno_error("chmod " + file.path);  // the umask may have narrowed it
  return give(out.get(), owner, file.path);
}

}  // namespace

std::optional<SandboxOwner> sandbox_owner() {
  if (::geteuid() != 0) return std::nullopt;
  const auto ids = launch::choose_id_mapping(1000, 1000, 0, 0);
  return SandboxOwner{ids.outside_uid, ids.outside_gid};
}

Result<RunDirectory> RunDirectory::create(const std::string& root, std::optional<SandboxOwner> owner) {
  std::string templ = root + "/" + std::string(kRunDirectoryPrefix) + "XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return errno_error("create a run directory in " + root);
  UniqueFd dir(::open(templ.c_str(), O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) {
    auto error = errno_error("open " + templ);
    ::rmdir(templ.c_str());
    return error;
  }
  // From here the destructor cleans up whatever was made.
  RunDirectory run(templ, std::move(dir), UniqueFd(), owner);
  // Never contended: a sweep leaves directories this young alone.
  if (::flock(run.dir_.get(), LOCK_EX | LOCK_NB) != 0) return errno_error("lock " + templ);
  // The sandbox resolves its bind sources as its own (outside) uid, so with a different owner
  // it must be able to pass through; it still cannot list what is here.
  if (owner && ::fchmod(run.dir_.get(), 0711) != 0) return errno_error("chmod " + templ);
  bool created = false;
  SBX_ASSIGN_OR_RETURN(run.workspace_, open_subdir(run.dir_.get(), "workspace", owner, &created));
  if (::fchmod(run.workspace_.get(), 0700) != 0) return errno_error("chmod the workspace");
  return run;
}

RunDirectory::RunDirectory(RunDirectory&& other) noexcept
    : path_(std::move(other.path_)),
      dir_(std::move(other.dir_)),
      workspace_(std::move(other.workspace_)),
      owner_(other.owner_) {
  other.path_.clear();
}

RunDirectory::~RunDirectory() {
  if (auto removed = remove(); !removed) spdlog::warn("{}", removed.error().message);
}

Status RunDirectory::remove() {
  if (path_.empty() || !dir_.valid()) return {};
  const std::string path = std::exchange(path_, std::string());
  workspace_.reset();
  // dir_ and its lock stay until the tree is gone: a sweep must not take it while half removed.
  const UniqueFd locked = std::move(dir_);
  const size_t slash = path.rfind('/');
  UniqueFd parent(::open(path.substr(0, slash).c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!parent.valid()) return errno_error("could not remove run directory " + path + ": open its parent");
  if (auto removed = remove_tree_at(parent.get(), path.substr(slash + 1), path); !removed) {
    return make_error("could not remove run directory " + path + ": " + removed.error().message);
  }
  return {};
}

Status RunDirectory::write_code(const std::string& file_name, const std::string& code) {
  bool created = false;
  SBX_ASSIGN_OR_RETURN(UniqueFd code_dir, open_subdir(dir_.get(), "code", owner_, &created));
  if (::fchmod(code_dir.get(), 0700) != 0) return errno_error("chmod code");
  WorkspaceFile file{file_name, code, false};
  // Read-only for the sandbox: the directory is bound read-only and the file stays root's.
  return write_file(code_dir.get(), file, std::nullopt);
}

Status write_workspace_files(int dir_fd, const std::vector<WorkspaceFile>& files, std::optional<SandboxOwner> owner) {
  for (size_t i = 0; i < files.size(); ++i) {
    if (auto written = write_file(dir_fd, files[i], owner); !written) {
      return std::move(written).error().context("params.files[" + std::to_string(i) + "]");
    }
  }
  return {};
}

}  // namespace sbx::rpc
