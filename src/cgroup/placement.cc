#include "cgroup/placement.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/directory_entries.h"
#include "base/file_contents.h"
#include "cgroup/cgroup_fs.h"
#include "cgroup/run_cgroup.h"
#include "cgroup/systemd_scope.h"

namespace sbx::cgroup {
namespace {

Result<std::string> cgroup2_root() {
  SBX_ASSIGN_OR_RETURN(const std::string mountinfo, read_file_contents("/proc/self/mountinfo"));
  auto mount = find_cgroup2_mount(mountinfo);
  if (!mount) return make_error("no cgroup v2 (unified) hierarchy is mounted on this host");
  return *mount;
}

Result<std::string> own_cgroup_dir(const std::string& root) {
  SBX_ASSIGN_OR_RETURN(const std::string text, read_file_contents("/proc/self/cgroup"));
  auto path = own_cgroup_path(text);
  if (!path) return make_error("this process is not in a cgroup v2 hierarchy");
  return *path == "/" ? root : root + *path;
}

// "+memory +pids" for the controllers not yet enabled for `dir`'s children.
Status enable_controllers(const std::string& dir, const std::vector<std::string>& controllers) {
  SBX_ASSIGN_OR_RETURN(const std::string available_text, read_file_contents(dir + "/cgroup.controllers"));
  SBX_ASSIGN_OR_RETURN(const std::string enabled_text, read_file_contents(dir + "/cgroup.subtree_control"));
  const auto available = split_words(available_text);
  const auto enabled = split_words(enabled_text);
  std::string request;
  for (const auto& c : controllers) {
    bool is_available = false;
    bool is_enabled = false;
    for (const auto& a : available) is_available = is_available || a == c;
    for (const auto& e : enabled) is_enabled = is_enabled || e == c;
    if (!is_available) {
      std::string list;
      for (const auto& a : available) list += (list.empty() ? "" : " ") + a;
      return make_error("the " + c + " controller is not available in " + dir + " (it has: " +
                        (list.empty() ? std::string("none") : list) + ")");
    }
    if (!is_enabled) request += (request.empty() ? "+" : " +") + c;
  }
  if (request.empty()) return {};
  return write_text(dir + "/cgroup.subtree_control", request);
}

// Moves this process into a leaf of `dir` and enables the controllers in `dir`.
Status take_over(const std::string& dir, const std::vector<std::string>& controllers) {
  remove_stale_cgroups(dir);
  const std::string leaf = dir + "/sbx.leaf." + std::to_string(::getpid());
  if (::mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) return errno_error("mkdir " + leaf);
  if (auto s = write_text(leaf + "/cgroup.procs", "0"); !s) {
    ::rmdir(leaf.c_str());
    return s;
  }
  if (auto s = enable_controllers(dir, controllers); !s) {
    // Other processes still live in `dir` (EBUSY), or a controller is missing: step back out.
    (void)write_text(dir + "/cgroup.procs", "0");
    ::rmdir(leaf.c_str());
    if (s.error().sys_errno == EBUSY) {
      return make_error(dir + " holds other processes, so its children cannot get controllers");
    }
    return s;
  }
  return {};
}

// Whether `dir` (the cgroup sbx runs in) was handed to us to manage. For an ordinary user, being
// able to write it means someone chowned it over: that is delegation. Root can write every
// cgroup, including the ones systemd manages and would fight over, so for root only systemd's
// own mark counts (the "delegate" xattr that systemd 251 and later sets with Delegate=yes).
bool own_cgroup_is_delegated(const std::string& dir) {
  if (!is_delegated(dir)) return false;
  if (::geteuid() != 0) return true;
  for (const char* name : {"trusted.delegate", "user.delegate"}) {
    char value[8] = {};
    const ssize_t n = ::getxattr(dir.c_str(), name, value, sizeof(value) - 1);
    if (n > 0 && value[0] == '1') return true;
  }
  return false;
}

bool owner_alive(const std::string& name, const std::string& prefix) {
  const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
  if (pid <= 0) return true;  // not ours to judge
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace

void remove_stale_cgroups(const std::string& parent) {
  std::vector<std::string> stale;
  for (const auto& name : directory_entries(parent).value_or({})) {
    for (const std::string prefix : {"sbx.leaf.", "sbx.run."}) {
      if (name.rfind(prefix, 0) == 0 && !owner_alive(name, prefix)) stale.push_back(parent + "/" + name);
    }
  }
  for (const auto& path : stale) kill_and_remove(path);
}

Result<std::optional<std::string>> adopt_own_cgroup_for_runs() {
  auto root = cgroup2_root();
  if (!root) return std::optional<std::string>();  // no cgroup v2 here: nothing to adopt
  SBX_ASSIGN_OR_RETURN(const std::string own, own_cgroup_dir(*root));
  if (own == *root || !own_cgroup_is_delegated(own)) return std::optional<std::string>();
  SBX_ASSIGN_OR_RETURN(const std::string available_text, read_file_contents(own + "/cgroup.controllers"));
  std::vector<std::string> controllers;
  for (const auto& c : split_words(available_text)) {
    if (c == "memory" || c == "pids" || c == "cpu") controllers.push_back(c);
  }
  SBX_RETURN_IF_ERROR(take_over(own, controllers));
  return std::optional<std::string>(own);
}

Result<Placement> find_placement(const std::optional<std::string>& explicit_parent,
                                 const std::vector<std::string>& controllers) {
  if (explicit_parent) {
    if (!is_delegated(*explicit_parent)) {
      return make_error("--cgroup-parent " + *explicit_parent +
                        ": not a cgroup directory you can write (cgroup.procs and cgroup.subtree_control)");
    }
    remove_stale_cgroups(*explicit_parent);
    if (auto s = enable_controllers(*explicit_parent, controllers); !s) {
      return std::move(s).error().context("--cgroup-parent " + *explicit_parent);
    }
    return Placement{*explicit_parent, "--cgroup-parent"};
  }
  SBX_ASSIGN_OR_RETURN(const std::string root, cgroup2_root());
  std::string tried;
  {
    SBX_ASSIGN_OR_RETURN(const std::string own, own_cgroup_dir(root));
    if (own == root) {
      // The root cgroup belongs to the host; writable by root, but never ours to reorganize.
      tried = "sbx runs in the root cgroup, which is the host's";
    } else if (own_cgroup_is_delegated(own)) {
      auto s = take_over(own, controllers);
      if (s) return Placement{own, "delegated cgroup " + own};
      tried = "own cgroup: " + s.error().message;
    } else {
      tried = "own cgroup " + own + " is not delegated (no Delegate=yes)";
    }
  }
  auto scope = move_into_delegated_scope();
  if (!scope) return make_error(tried + "; systemd scope: " + scope.error().message);
  SBX_ASSIGN_OR_RETURN(const std::string own, own_cgroup_dir(root));
  if (auto s = take_over(own, controllers); !s) {
    return make_error(tried + "; systemd scope " + *scope + ": " + s.error().message);
  }
  return Placement{own, "systemd scope " + *scope};
}

}  // namespace sbx::cgroup
