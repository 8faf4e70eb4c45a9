// This process's environment as the lookups that take a getenv function want it (policy search
// path, rootfs stores, a caller's context): one way to read it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sbx {

// The value of `name` in this process's environment, or nothing when it is unset.
std::optional<std::string> process_env(std::string_view name);

}  // namespace sbx
