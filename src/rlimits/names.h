// Names of resource limits as `ulimit`/docker spell them, and value parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/policy.h"

namespace sbx::rlimits {

std::optional<int> resource_from_name(std::string_view name);
const char* resource_name(int resource);
// True for limits counted in bytes (fsize, as, stack...), which accept and print sizes.
bool counts_bytes(int resource);

// "NAME=SOFT[:HARD]" where values are whole numbers, sizes (k/m/g for byte-valued limits) or
// "unlimited". HARD defaults to SOFT.
Result<policy::Rlimit> parse_ulimit(std::string_view spec);

// Defaults every sandbox gets unless overridden: no core dumps, a bounded fd table.
std::vector<policy::Rlimit> default_rlimits();

}  // namespace sbx::rlimits
