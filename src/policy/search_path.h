// Where policies are found by name (`--policy python`), first match wins:
//   1. an explicit path: NAME contains '/' or ends in .yaml, .yml or .json (relative to the
//      current directory, or for `extends`, to the extending file's directory);
//   2. each directory of $SBX_POLICY_PATH (colon-separated);
//   3. the user's: $XDG_CONFIG_HOME/sbx/policies (default ~/.config/sbx/policies);
//   4. the system's: /etc/sbx/policies;
//   5. the installed ones: DATADIR/sbx/policies (e.g. /usr/local/share/sbx/policies);
//   6. the source tree sbx was built from (SOURCE/policies), so a build runs without installing.
// A policy may extend the policy of its own name: the search then continues after its file.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/load.h"

namespace sbx::policy {

struct SearchDir {
  std::string path;
  std::string kind;  // "SBX_POLICY_PATH", "user", "system", "installed", "build tree"
};

using Getenv = std::function<std::optional<std::string>(std::string_view)>;

std::vector<SearchDir> policy_search_path(const Getenv& getenv);

// True when the argument is a file path rather than a name to search for.
bool names_a_file(std::string_view name_or_path);

// The file for `name_or_path`. `base_dir` anchors relative paths; `skip` (a canonical path) is
// passed over in the directories, so a policy can extend the one it shadows.
Result<std::string> find_policy(std::string_view name_or_path, const std::vector<SearchDir>& dirs,
                                const std::string& base_dir, const std::string& skip = "");

// Loads a policy by name or path, following `extends` through the same search path.
Result<LoadedPolicy> load_policy(std::string_view name_or_path, const std::vector<SearchDir>& dirs,
                                 const std::string& cwd);

struct PolicyListing {
  std::string name;
  std::string path;
  std::string kind;       // of the directory it is in
  bool shadowed = false;  // an earlier directory has a policy of the same name
};

// Every NAME.yaml in the search path, in search order.
std::vector<PolicyListing> list_policies(const std::vector<SearchDir>& dirs);

}  // namespace sbx::policy
