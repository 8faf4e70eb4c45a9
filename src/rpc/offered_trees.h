// The root trees a caller's runs may name in params.rootfs, for the capabilities: without them an
// agent has to know a tree's name (and what it holds) before it can ask for it.
#pragma once

#include <string>
#include <vector>

#include "rpc/caller_limits.h"
#include "rpc/jsonrpc.h"

namespace sbx::rpc {

// [{"name", "description", "commands"}]: the trees the caller's limits offer by name, or, with
// no such list, every tree in `stores` (the first of each name, as a run finds them).
// Description and commands come from the tree's manifest when it is a store's entry.
Json offered_trees_json(const CallerLimits& limits, const std::vector<std::string>& stores);

}  // namespace sbx::rpc
