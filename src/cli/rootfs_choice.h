// Which root filesystem `sbx exec` uses: --rootfs host|NAME|DIR, or, without the flag, the built
// tree whose recipe lists the command's first word (`sbx exec python3 x.py` -> the python tree),
// else the host's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace sbx::cli {

struct RootfsChoice {
  std::string rootfs = "host";  // "host" or a tree's absolute path
  std::string tree_name;        // the store tree's name; empty for the host or a DIR
  std::string policy;           // the policy the tree's recipe names; empty otherwise
  std::string note;             // what was chosen and why, logged at -v
};

// A --rootfs value without '/' (other than "." and ".."): a tree name, not a directory.
bool is_tree_name(const std::string& value);

// `flag` is the --rootfs value when given (or a policy's rootfs; `origin` names which in messages).
// A value without '/' (other than "." and "..") is a tree name looked up in `stores` in order;
// anything else is a directory.
Result<RootfsChoice> choose_rootfs(const std::optional<std::string>& flag, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& stores, const std::string& cwd,
                                   const std::string& origin = "--rootfs");

}  // namespace sbx::cli
