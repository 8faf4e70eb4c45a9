// The private host directory of one run: <root>/sbx-run.XXXXXX (mode 0700) holding
// `workspace/` (bound read-write at /workspace) and `code/` (bound read-only at /run/sbx).
// Removed with everything in it when the owner goes away.
//
// The owner also holds an exclusive flock on it from creation until the tree is gone. A front end
// killed outright (an agent's SIGKILL) cannot remove its directories, but its locks go with it,
// so the next front end can tell a directory left behind from one in use
// (rpc/abandoned_run_directories.h).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "rpc/run_request.h"

namespace sbx::rpc {

inline constexpr std::string_view kRunDirectoryPrefix = "sbx-run.";

// Who owns what the sandbox must be able to write. When sbx runs as root the sandbox's user is
// host uid 65534, which cannot write a directory root created; everything the run may touch
// is handed to that uid. As any other user, the sandbox's user is the caller and nothing
// changes hands.
struct SandboxOwner {
  uid_t uid;
  gid_t gid;
};
std::optional<SandboxOwner> sandbox_owner();

class RunDirectory {
 public:
  static Result<RunDirectory> create(const std::string& root, std::optional<SandboxOwner> owner);
  RunDirectory(RunDirectory&& other) noexcept;
  RunDirectory& operator=(RunDirectory&&) = delete;
  RunDirectory(const RunDirectory&) = delete;
  ~RunDirectory();

  const std::string& path() const { return path_; }
  std::string workspace() const { return path_ + "/workspace"; }
  std::string code_dir() const { return path_ + "/code"; }
  int workspace_fd() const { return workspace_.get(); }
  // Who the sandbox runs as on the host, when that is not sbx's own uid: files written for the
  // run are given to it.
  const std::optional<SandboxOwner>& owner() const { return owner_; }

  Status write_code(const std::string& file_name, const std::string& code);
  // Removes the directory with everything in it now, rather than in the destructor (which
  // logs what it could not remove). Afterwards the object holds nothing.
  Status remove();

 private:
  RunDirectory(std::string path, UniqueFd dir, UniqueFd workspace, std::optional<SandboxOwner> owner)
      : path_(std::move(path)), dir_(std::move(dir)), workspace_(std::move(workspace)), owner_(owner) {}
  std::string path_;
  UniqueFd dir_;
  UniqueFd workspace_;
  std::optional<SandboxOwner> owner_;
};

// Writes files beneath the directory `dir_fd`, creating parent directories. Nothing written
// can land outside it: every step refuses symbolic links (a previous run in a shared
// workspace may have planted some), and an existing file is replaced, not written through.
Status write_workspace_files(int dir_fd, const std::vector<WorkspaceFile>& files,
                             std::optional<SandboxOwner> owner);

}  // namespace sbx::rpc
