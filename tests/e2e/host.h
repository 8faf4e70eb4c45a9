// The host side of the e2e tests: scratch directories the sandbox may write to, and ways to
// see from outside what a run left behind (processes, files, mounts).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"

namespace sbx::e2e {

// A fresh directory under /tmp, removed with its contents at scope exit. Mode 0777: when the
// suite runs as root the sandbox writes as an unprivileged host uid, which must be able to.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// A word no other process on the host has in its command line; the probe ignores extra
// trailing arguments, so tests append it to find the sandbox's processes from outside.
std::string unique_marker();

struct HostProcess {
  pid_t pid = 0;
  std::vector<pid_t> ns_pids;  // /proc/PID/status NSpid: host pid first, innermost last
};
// Host processes whose command line contains `marker` as a whole argument.
std::vector<HostProcess> processes_with_marker(std::string_view marker);

UniqueFd open_pidfd(pid_t pid);
// True when every process behind `pidfds` has exited within `limit`.
bool all_exited_within(const std::vector<UniqueFd>& pidfds, std::chrono::milliseconds limit);

// Polls until `path` exists (the probe renames it into place complete), or `limit` passes.
bool wait_for_file(const std::string& path, std::chrono::milliseconds limit);
std::string read_file(const std::string& path);
std::set<std::string> dir_entries(const std::string& path);

}  // namespace sbx::e2e
