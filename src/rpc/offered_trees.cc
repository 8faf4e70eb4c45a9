#include "rpc/offered_trees.h"

#include <set>

#include "rootfs/store.h"

namespace sbx::rpc {
namespace {

Json tree_json(const std::string& name, const rootfs::Manifest* manifest) {
  Json t = Json::object();
  t["name"] = name;
  t["description"] = manifest != nullptr ? manifest->description : "";
  t["commands"] = manifest != nullptr ? Json(manifest->commands) : Json::array();
  return t;
}

// An offered path is a store's entry when it reads STORE/NAME/root.
std::optional<rootfs::Manifest> manifest_of_root(const std::string& root) {
  const size_t root_slash = root.rfind('/');
  if (root_slash == std::string::npos || root.substr(root_slash) != "/root") return std::nullopt;
  const std::string entry = root.substr(0, root_slash);
  const size_t entry_slash = entry.rfind('/');
  if (entry_slash == std::string::npos || entry_slash == 0) return std::nullopt;
  auto manifest = rootfs::read_manifest(entry.substr(0, entry_slash), entry.substr(entry_slash + 1));
  if (!manifest) return std::nullopt;
  return std::move(*manifest);
}

}  // namespace

Json offered_trees_json(const CallerLimits& limits, const std::vector<std::string>& stores) {
  Json trees = Json::array();
  if (limits.rootfs) {
    for (const auto& [name, root] : *limits.rootfs) {
      const auto manifest = manifest_of_root(root);
      trees.push_back(tree_json(name, manifest ? &*manifest : nullptr));
    }
    return trees;
  }
  std::set<std::string> seen;
  for (const auto& store : stores) {
    for (const auto& name : rootfs::tree_names(store)) {
      if (!seen.insert(name).second) continue;
      const auto manifest = rootfs::read_manifest(store, name);
      if (manifest) trees.push_back(tree_json(name, &*manifest));
    }
  }
  return trees;
}

}  // namespace sbx::rpc
