// The service configuration (/etc/sbx/serve.yaml): admission, where runs go, which root trees
// are offered, and who may connect with which limits. Parsing is strict: an unknown key or a
// wrong type is an error naming the key, so a typo never silently widens access.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "rpc/caller_limits.h"
#include "rpc/run_manager.h"

namespace sbx::serve {

// One allow-list entry: a user (name or uid) or a group (name or gid), with limits that
// override the defaults.
struct AllowRule {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string label;  // "user alice", "group sbx": for logs
  rpc::CallerLimits limits;
};

struct ServeConfig {
  rpc::Admission admission;
  uint64_t max_message = 32u << 20;
  size_t max_clients = 256;
  std::chrono::nanoseconds drain_timeout = std::chrono::seconds(30);
  std::string run_dir;  // empty: $TMPDIR or /tmp
  std::vector<std::string> languages;
  std::vector<AllowRule> allow;
  std::string source;  // the file it came from, for messages; "" for the built-in default
};

// Parses YAML text; `origin` names the file in errors. User and group names are resolved
// here, once.
Result<ServeConfig> parse_serve_config(const std::string& yaml, const std::string& origin);
Result<ServeConfig> load_serve_config(const std::string& path);

// Without a configuration file: only the service's own user, no extra limits.
ServeConfig default_serve_config(uid_t self);

// The first rule that matches the caller (its uid, primary gid or supplementary groups).
const AllowRule* match_caller(const ServeConfig& config, uid_t uid, gid_t gid, const std::vector<gid_t>& groups);

}  // namespace sbx::serve
