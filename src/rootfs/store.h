// The rootfs store: where prebuilt trees live and how they are installed and removed.
//
//   STORE/NAME/root/           the tree a sandbox sees as /
//   STORE/NAME/manifest.json   what it is (manifest.h)
//   STORE/NAME/tree.list       its listing (tree_hash.h); manifest.content_hash is its hash
//   STORE/.build-NAME-PID/     a build in progress by process PID, same layout
//
// STORE is $SBX_ROOTFS_STORE if set, else /var/lib/sbx/rootfs for root, else
// ${XDG_DATA_HOME:-~/.local/share}/sbx/rootfs. A build becomes visible in one renameat2() step,
// so readers see the old tree or the new one, never half of either.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "rootfs/manifest.h"

namespace sbx::rootfs {

inline constexpr const char* kSystemStore = "/var/lib/sbx/rootfs";

using Getenv = std::function<std::optional<std::string>(std::string_view)>;

// The store this user builds into and lists (see above). Fails only for a non-root user with
// neither XDG_DATA_HOME nor HOME set.
Result<std::string> default_store_dir(uid_t euid, const Getenv& getenv);

// Stores `sbx exec` searches for a tree, in order: the user's own, then, for a non-root user
// without $SBX_ROOTFS_STORE, the system-wide store root builds into.
std::vector<std::string> lookup_store_dirs(uid_t euid, const Getenv& getenv);

std::string tree_dir(const std::string& store, std::string_view name);
std::string tree_root(const std::string& store, std::string_view name);
std::string manifest_path(const std::string& store, std::string_view name);
std::string listing_path(const std::string& store, std::string_view name);

// Names of the installed trees (entries with a manifest), sorted.
std::vector<std::string> tree_names(const std::string& store);

Result<Manifest> read_manifest(const std::string& store, std::string_view name);

struct FoundTree {
  std::string store;
  Manifest manifest;
  std::string root;  // tree_root(store, name)
};

// The first tree, over `stores` in order and names sorted, whose manifest lists `command`.
std::optional<FoundTree> find_tree_for_command(const std::vector<std::string>& stores, std::string_view command);

// The tree called `name` in the first of `stores` that has one.
std::optional<FoundTree> find_tree(const std::vector<std::string>& stores, std::string_view name);

// "STORE/.build-NAME-PID".
std::string build_dir(const std::string& store, std::string_view name, pid_t pid);

// The pid in a ".build-NAME-PID" entry name; nullopt for anything else.
std::optional<pid_t> build_dir_pid(std::string_view entry_name);

// Removes .build-* entries whose process is gone (a build that was killed before it could clean
// up). `alive` decides; the default asks kill(pid, 0). Returns the entries removed.
std::vector<std::string> remove_stale_builds(const std::string& store,
                                             const std::function<bool(pid_t)>& alive = {});

// Moves a finished build (a directory with the layout above) to STORE/NAME, replacing any old
// tree atomically. Returns true when an old tree was replaced: it is now at `build`, for the
// caller to remove.
Result<bool> install_build(const std::string& store, std::string_view name, const std::string& build);

}  // namespace sbx::rootfs
