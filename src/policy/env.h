// Setting a sandbox variable the way every source of them (policy files, -e, --env-file,
// secrets) does: the latest value wins and takes the name off the pass-from-caller list.
#pragma once

#include <algorithm>
#include <string>

#include "policy/policy.h"

namespace sbx::policy {

inline void set_env(Policy& p, const std::string& name, std::string value) {
  std::erase(p.env_pass, name);
  for (auto& var : p.env) {
    if (var.name == name) {
      var.value = std::move(value);
      return;
    }
  }
  p.env.push_back({name, std::move(value)});
}

inline bool has_env(const Policy& p, const std::string& name) {
  return std::any_of(p.env.begin(), p.env.end(), [&](const EnvVar& v) { return v.name == name; });
}

}  // namespace sbx::policy
