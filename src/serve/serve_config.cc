#include "serve/serve_config.h"

#include <sys/types.h>

#include <algorithm>
#include <array>
#include <map>

#include <yaml-cpp/yaml.h>

#include "base/accounts.h"
#include "base/file_contents.h"
#include "base/units.h"
#include "base/yaml_document.h"

namespace sbx::serve {
namespace {

constexpr std::array<std::string_view, 10> kTopKeys{"max_concurrency", "queue",     "max_message", "max_clients",
                                                    "drain_timeout",   "run_dir",   "languages",   "rootfs",
                                                    "defaults",        "allow"};
constexpr std::array<std::string_view, 11> kLimitKeys{"max_concurrency", "max_timeout", "max_memory", "max_pids",
                                                      "max_cpus",        "max_output",  "policies",   "host_network",
                                                      "best_effort",     "cgroup",      "rootfs"};

// yaml-cpp throws; everything below catches at this boundary and returns errors.
struct Reader {
  std::string origin;

  Error error(const std::string& key, const std::string& what) const {
    return make_error(origin + ": " + key + ": " + what);
  }

  template <size_t N>
  Status known(const YAML::Node& map, const std::string& where, const std::array<std::string_view, N>& keys) const {
    if (!map.IsMap()) return error(where, "expected a mapping");
    for (const auto& item : map) {
      const std::string key = item.first.as<std::string>();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string list;
        for (auto k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
        return error(where.empty() ? key : where + "." + key, "unknown key (known: " + list + ")");
      }
    }
    return {};
  }

  Result<std::string> scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) return error(key, "expected a single value");
    return node.as<std::string>();
  }

  Result<uint64_t> number(const YAML::Node& node, const std::string& key, uint64_t min, uint64_t max) const {
    SBX_ASSIGN_OR_RETURN(const std::string text, scalar(node, key));
    auto n = parse_uint(text);
    if (!n || *n < min || *n > max) {
      return error(key, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return *n;
  }

  Result<uint64_t> size(const YAML::Node& node, const std::string& key) const {
    SBX_ASSIGN_OR_RETURN(const std::string text, scalar(node, key));
    auto n = parse_size(text);
    if (!n) return error(key, n.error().message + " (e.g. 512m)");
    return *n;
  }

  Result<std::chrono::nanoseconds> duration(const YAML::Node& node, const std::string& key) const {
    SBX_ASSIGN_OR_RETURN(const std::string text, scalar(node, key));
    auto d = parse_duration(text);
    if (!d || d->count() <= 0) return error(key, "expected a duration above zero, e.g. 30s or 5m");
    return *d;
  }

  Result<bool> boolean(const YAML::Node& node, const std::string& key) const {
    SBX_ASSIGN_OR_RETURN(const std::string text, scalar(node, key));
    if (text == "true" || text == "yes") return true;
    if (text == "false" || text == "no") return false;
    return error(key, "expected true or false");
  }

  Result<std::vector<std::string>> list(const YAML::Node& node, const std::string& key) const {
    if (!node.IsSequence()) return error(key, "expected a list, e.g. [default]");
    std::vector<std::string> out;
    for (size_t i = 0; i < node.size(); ++i) {
      SBX_ASSIGN_OR_RETURN(std::string s, scalar(node[i], key + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(s));
    }
    return out;
  }

  // Overrides `limits` with what `map` sets.
  Status limits(const YAML::Node& map, const std::string& where, rpc::CallerLimits& l,
                const std::map<std::string, std::string>& rootfs) const {
    for (const auto& item : map) {
      const std::string key = item.first.as<std::string>();
      const std::string path = where + "." + key;
      const YAML::Node& v = item.second;
      if (key == "max_concurrency") {
        SBX_ASSIGN_OR_RETURN(l.max_concurrency, number(v, path, 1, 100000));
      } else if (key == "max_timeout") {
        SBX_ASSIGN_OR_RETURN(l.max_timeout, duration(v, path));
      } else if (key == "max_memory") {
        SBX_ASSIGN_OR_RETURN(l.max_memory, size(v, path));
        if (*l.max_memory < (1u << 20)) return error(path, "must be at least 1m");
      } else if (key == "max_pids") {
        SBX_ASSIGN_OR_RETURN(l.max_pids, number(v, path, 1, 4194304));
      } else if (key == "max_cpus") {
        SBX_ASSIGN_OR_RETURN(const std::string text, scalar(v, path));
        char* end = nullptr;
        const double cpus = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !(cpus >= 0.01 && cpus <= 4096)) {
          return error(path, "expected a number of CPUs from 0.01 to 4096");
        }
        l.max_cpus = cpus;
      } else if (key == "max_output") {
        SBX_ASSIGN_OR_RETURN(l.max_output, size(v, path));
        if (*l.max_output < 1024) return error(path, "must be at least 1k");
      } else if (key == "policies") {
        SBX_ASSIGN_OR_RETURN(l.policies, list(v, path));
      } else if (key == "host_network") {
        SBX_ASSIGN_OR_RETURN(l.allow_host_network, boolean(v, path));
      } else if (key == "best_effort") {
        SBX_ASSIGN_OR_RETURN(l.allow_best_effort, boolean(v, path));
      } else if (key == "cgroup") {
        SBX_ASSIGN_OR_RETURN(const std::string text, scalar(v, path));
        if (text != "required" && text != "best-effort") return error(path, "expected required or best-effort");
        l.cgroup = text;
      } else if (key == "rootfs") {
        SBX_ASSIGN_OR_RETURN(const auto names, list(v, path));
        std::map<std::string, std::string> allowed;
        for (const auto& name : names) {
          const auto it = rootfs.find(name);
          if (it == rootfs.end()) return error(path, "\"" + name + "\" is not defined under rootfs");
          allowed.insert(*it);
        }
        l.rootfs = std::move(allowed);
      }
    }
    return {};
  }
};

std::optional<uid_t> lookup_user(const std::string& name) {
  if (auto n = parse_uint(name)) return static_cast<uid_t>(*n);
  return user_id(name);
}

std::optional<gid_t> lookup_group(const std::string& name) {
  if (auto n = parse_uint(name)) return static_cast<gid_t>(*n);
  return group_id(name);
}

rpc::CallerLimits builtin_defaults() {
  rpc::CallerLimits l;
  l.max_concurrency = 4;
  l.policies = std::vector<std::string>{"default"};
  l.rootfs = std::map<std::string, std::string>{};
  l.allow_host_network = false;
  return l;
}

Result<ServeConfig> parse(const YAML::Node& root, const Reader& r) {
  ServeConfig c;
  c.source = r.origin;
  if (root.IsNull()) return r.error("allow", "the file is empty: nobody would be allowed to connect");
  SBX_RETURN_IF_ERROR(r.known(root, "", kTopKeys));
  if (root["max_concurrency"]) {
    SBX_ASSIGN_OR_RETURN(c.admission.max_running, r.number(root["max_concurrency"], "max_concurrency", 1, 4096));
  }
  if (root["queue"]) {
    SBX_ASSIGN_OR_RETURN(c.admission.max_queued, r.number(root["queue"], "queue", 0, 100000));
  }
  if (root["max_message"]) {
    SBX_ASSIGN_OR_RETURN(c.max_message, r.size(root["max_message"], "max_message"));
    if (c.max_message < 4096) return r.error("max_message", "must be at least 4k");
  }
  if (root["max_clients"]) {
    SBX_ASSIGN_OR_RETURN(c.max_clients, r.number(root["max_clients"], "max_clients", 1, 65536));
  }
  if (root["drain_timeout"]) {
    SBX_ASSIGN_OR_RETURN(c.drain_timeout, r.duration(root["drain_timeout"], "drain_timeout"));
  }
  if (root["run_dir"]) {
    SBX_ASSIGN_OR_RETURN(c.run_dir, r.scalar(root["run_dir"], "run_dir"));
    if (c.run_dir.empty() || c.run_dir[0] != '/') return r.error("run_dir", "expected an absolute directory");
  }
  if (root["languages"]) {
    SBX_ASSIGN_OR_RETURN(c.languages, r.list(root["languages"], "languages"));
  }
  std::map<std::string, std::string> rootfs;
  if (const YAML::Node trees = root["rootfs"]) {
    if (!trees.IsMap()) return r.error("rootfs", "expected a mapping of name: /path");
    for (const auto& item : trees) {
      const std::string name = item.first.as<std::string>();
      SBX_ASSIGN_OR_RETURN(const std::string path, r.scalar(item.second, "rootfs." + name));
      if (path.empty() || path[0] != '/') return r.error("rootfs." + name, "expected an absolute path");
      rootfs[name] = path;
    }
  }
  rpc::CallerLimits defaults = builtin_defaults();
  defaults.rootfs = std::map<std::string, std::string>{};
  if (const YAML::Node d = root["defaults"]) {
    SBX_RETURN_IF_ERROR(r.known(d, "defaults", kLimitKeys));
    SBX_RETURN_IF_ERROR(r.limits(d, "defaults", defaults, rootfs));
  }
  const YAML::Node allow = root["allow"];
  if (!allow || !allow.IsSequence() || allow.size() == 0) {
    return r.error("allow", "expected a list of users and groups, e.g. [{user: alice}, {group: sbx}]");
  }
  for (size_t i = 0; i < allow.size(); ++i) {
    const std::string where = "allow[" + std::to_string(i) + "]";
    const YAML::Node entry = allow[i];
    if (!entry.IsMap()) return r.error(where, "expected a mapping such as {user: alice}");
    AllowRule rule;
    rule.limits = defaults;
    YAML::Node limits_only;
    int who = 0;
    for (const auto& item : entry) {
      const std::string key = item.first.as<std::string>();
      if (key == "user" || key == "uid") {
        ++who;
        SBX_ASSIGN_OR_RETURN(const std::string name, r.scalar(item.second, where + "." + key));
        rule.uid = lookup_user(name);
        if (!rule.uid) return r.error(where + "." + key, "no such user \"" + name + "\"");
        rule.label = "user " + name;
      } else if (key == "group" || key == "gid") {
        ++who;
        SBX_ASSIGN_OR_RETURN(const std::string name, r.scalar(item.second, where + "." + key));
        rule.gid = lookup_group(name);
        if (!rule.gid) return r.error(where + "." + key, "no such group \"" + name + "\"");
        rule.label = "group " + name;
      } else if (std::find(kLimitKeys.begin(), kLimitKeys.end(), key) != kLimitKeys.end()) {
        limits_only[key] = item.second;
      } else {
        return r.error(where + "." + key, "unknown key (user, group, or a limit as under defaults)");
      }
    }
    if (who != 1) return r.error(where, "name exactly one of user, uid, group or gid");
    SBX_RETURN_IF_ERROR(r.limits(limits_only, where, rule.limits, rootfs));
    c.allow.push_back(std::move(rule));
  }
  return c;
}

}  // namespace

Result<ServeConfig> parse_serve_config(const std::string& yaml, const std::string& origin) {
  const Reader reader{origin};
  try {
    return parse(load_yaml_document(yaml), reader);
  } catch (const YAML::Exception& e) {
    return make_error(origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Result<ServeConfig> load_serve_config(const std::string& path) {
  auto text = read_file_contents(path);
  if (!text) return std::move(text).error().context("cannot read the configuration file");
  return parse_serve_config(*text, path);
}

ServeConfig default_serve_config(uid_t self) {
  ServeConfig c;
  AllowRule rule;
  rule.uid = self;
  rule.label = "uid " + std::to_string(self) + " (the service's own; no configuration file)";
  rule.limits = builtin_defaults();
  c.allow.push_back(std::move(rule));
  return c;
}

const AllowRule* match_caller(const ServeConfig& config, uid_t uid, gid_t gid, const std::vector<gid_t>& groups) {
  for (const auto& rule : config.allow) {
    if (rule.uid && *rule.uid == uid) return &rule;
    if (rule.gid && (*rule.gid == gid || std::find(groups.begin(), groups.end(), *rule.gid) != groups.end())) {
      return &rule;
    }
  }
  return nullptr;
}

}  // namespace sbx::serve
