// Reading policy files: YAML in, a validated Policy out. Each file is applied on top of its
// parent (`extends: NAME`), the first file of the chain on top of default_policy(). Errors are
// one line naming the file, the line and the key path:
//   strict.yaml:12: filesystem.mounts[2].target: "tmp" is not an absolute path (it must start with /)
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/policy.h"

namespace sbx::policy {

// Finds the file named by `extends: NAME` in the policy file `from`.
using ParentFinder = std::function<Result<std::string>(const std::string& name, const std::string& from)>;

struct LoadedPolicy {
  Policy policy;                   // policy.name is the file's name without its extension
  std::string path;                // the file, as found
  std::vector<std::string> chain;  // the file, then its parent, grandparent...
};

// Refuses files above this size: a policy is a page of YAML, not a data set.
inline constexpr size_t kMaxPolicyFileBytes = 1 << 20;
// How many `extends` deep a chain may go.
inline constexpr size_t kMaxExtendsDepth = 16;

Result<LoadedPolicy> load_policy_file(const std::string& path, const ParentFinder& find);

// The same for text in memory; `label` stands for the file name in errors and names the policy.
// Without `find`, a document that says `extends` is an error.
Result<LoadedPolicy> load_policy_text(std::string_view text, const std::string& label,
                                      const ParentFinder& find = {});

// "strict" for "/etc/sbx/policies/strict.yaml".
std::string policy_name_from_path(std::string_view path);

}  // namespace sbx::policy
