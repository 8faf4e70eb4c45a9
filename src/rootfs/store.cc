#include "rootfs/store.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/directory_entries.h"
#include "base/file_contents.h"
#include "base/remove_tree.h"
#include "base/unique_fd.h"
#include "base/units.h"
#include "policy/validate.h"
#include "rootfs/fs_util.h"
#include "rootfs/recipe.h"

namespace sbx::rootfs {
namespace {

bool absolute(const std::optional<std::string>& value) { return value && !value->empty() && (*value)[0] == '/'; }

}  // namespace

Result<std::string> default_store_dir(uid_t euid, const Getenv& getenv) {
  if (auto env = getenv("SBX_ROOTFS_STORE"); env && !env->empty()) return *env;
  if (euid == 0) return std::string(kSystemStore);
  // XDG base directory spec: a relative XDG_DATA_HOME is invalid and ignored.
  if (auto xdg = getenv("XDG_DATA_HOME"); absolute(xdg)) return *xdg + "/sbx/rootfs";
  if (auto home = getenv("HOME"); absolute(home)) return *home + "/.local/share/sbx/rootfs";
  return make_error("cannot tell where your rootfs store is: set HOME, XDG_DATA_HOME or SBX_ROOTFS_STORE");
}

std::vector<std::string> lookup_store_dirs(uid_t euid, const Getenv& getenv) {
  std::vector<std::string> dirs;
  if (auto own = default_store_dir(euid, getenv)) dirs.push_back(*own);
  const auto env = getenv("SBX_ROOTFS_STORE");
  if (euid != 0 && !(env && !env->empty())) dirs.push_back(kSystemStore);
  return dirs;
}

std::string tree_dir(const std::string& store, std::string_view name) { return store + "/" + std::string(name); }
std::string tree_root(const std::string& store, std::string_view name) { return tree_dir(store, name) + "/root"; }
std::string manifest_path(const std::string& store, std::string_view name) {
  return tree_dir(store, name) + "/manifest.json";
}
std::string listing_path(const std::string& store, std::string_view name) {
  return tree_dir(store, name) + "/tree.list";
}

std::vector<std::string> tree_names(const std::string& store) {
  std::vector<std::string> names = directory_entries(store).value_or({});
  std::erase_if(names, [&store](const std::string& name) {
    // valid_tree_name also rules out .build-*.
    return !policy::valid_tree_name(name) || ::access(manifest_path(store, name).c_str(), F_OK) != 0;
  });
  std::sort(names.begin(), names.end());
  return names;
}

Result<Manifest> read_manifest(const std::string& store, std::string_view name) {
  const std::string path = manifest_path(store, name);
  auto text = read_file_contents(path);
  if (!text) return make_error(path + ": cannot read the manifest");
  auto manifest = manifest_from_json(*text);
  if (!manifest) return std::move(manifest).error().context(path);
  return manifest;
}

std::optional<FoundTree> find_tree_for_command(const std::vector<std::string>& stores, std::string_view command) {
  for (const auto& store : stores) {
    for (const auto& name : tree_names(store)) {
      auto manifest = read_manifest(store, name);
      if (!manifest) continue;
      const auto& commands = manifest->commands;
      if (std::find(commands.begin(), commands.end(), command) != commands.end()) {
        return FoundTree{store, std::move(*manifest), tree_root(store, name)};
      }
    }
  }
  return std::nullopt;
}

std::optional<FoundTree> find_tree(const std::vector<std::string>& stores, std::string_view name) {
  if (!policy::valid_tree_name(name)) return std::nullopt;
  for (const auto& store : stores) {
    auto manifest = read_manifest(store, name);
    if (manifest) return FoundTree{store, std::move(*manifest), tree_root(store, name)};
  }
  return std::nullopt;
}

std::string build_dir(const std::string& store, std::string_view name, pid_t pid) {
  return store + "/.build-" + std::string(name) + "-" + std::to_string(pid);
}

std::optional<pid_t> build_dir_pid(std::string_view entry_name) {
  if (!entry_name.starts_with(".build-")) return std::nullopt;
  const size_t dash = entry_name.rfind('-');
  if (dash <= 6) return std::nullopt;
  auto pid = parse_uint(entry_name.substr(dash + 1));
  if (!pid || *pid == 0 || *pid > 0x3fffffff) return std::nullopt;
  return static_cast<pid_t>(*pid);
}

std::vector<std::string> remove_stale_builds(const std::string& store, const std::function<bool(pid_t)>& alive) {
  auto is_alive = alive ? alive : [](pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; };
  std::vector<std::string> stale = directory_entries(store).value_or({});
  std::erase_if(stale, [&is_alive](const std::string& name) {
    const auto pid = build_dir_pid(name);
    return !pid || *pid == ::getpid() || is_alive(*pid);
  });
  std::vector<std::string> removed;
  for (const auto& name : stale) {
    if (remove_tree(store + "/" + name)) removed.push_back(name);
  }
  return removed;
}

Result<bool> install_build(const std::string& store, std::string_view name, const std::string& build) {
  const std::string target = tree_dir(store, name);
  if (::renameat2(AT_FDCWD, build.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) return false;
  if (errno != EEXIST) return errno_error("rename " + build + " to " + target);
  // Swap: the new tree takes the name in one step and the old one moves to the build path.
  if (::renameat2(AT_FDCWD, build.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    return errno_error("exchange " + build + " with " + target);
  }
  return true;
}

}  // namespace sbx::rootfs
