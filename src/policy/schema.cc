#include "policy/schema.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/paths.h"
#include "base/units.h"
#include "policy/env.h"
#include "policy/network_mode.h"
#include "policy/validate.h"
#include "rlimits/names.h"
#include "seccomp/filter.h"
#include "seccomp/names.h"

namespace sbx::policy::detail {
namespace {

using Keys = std::initializer_list<std::string_view>;

constexpr uint64_t kMaxId = 4294967294;  // (uid_t)-1 means "no change" to the kernel
constexpr uint64_t kMaxPids = 4194304;    // the kernel's PID_MAX_LIMIT

Result<std::vector<std::pair<std::string, Cursor>>> section(const Cursor& c, Keys keys) {
  return c.entries(std::span<const std::string_view>(keys.begin(), keys.size()));
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

Result<std::string> env_name(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string name, c.scalar());
  if (!valid_env_name(name)) {
    return c.error(quoted(name) + " is not a valid variable name (letters, digits and _, not starting with a digit)");
  }
  return name;
}

// A list whose items are parsed by `parse` and may not repeat.
template <class T, class Parse>
Result<std::vector<T>> unique_list(const Cursor& list, Parse parse) {
  SBX_ASSIGN_OR_RETURN(auto items, list.items());
  std::vector<T> out;
  for (const Cursor& item : items) {
    auto value = parse(item);
    if (!value) return std::move(value).error();
    if (std::find(out.begin(), out.end(), *value) != out.end()) return item.error("listed twice");
    out.push_back(std::move(*value));
  }
  return out;
}

Result<Enforcement> enforcement(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string v, c.one_of({"required", "best-effort"}));
  return v == "required" ? Enforcement::kRequired : Enforcement::kBestEffort;
}

Result<std::chrono::nanoseconds> positive_duration(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  auto d = parse_duration(text);
  if (!d) return c.error(d.error().message + " (e.g. 30s, 1.5m, 2h)");
  if (d->count() <= 0) return c.error("must be above zero");
  return *d;
}

Result<uint64_t> size_at_least(const Cursor& c, uint64_t min, std::string_view min_text) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  auto size = parse_size(text);
  if (!size) return c.error(size.error().message + " (e.g. 64m, 1g, 4096)");
  if (*size < min) return c.error("must be at least " + std::string(min_text));
  return *size;
}

Result<std::string> sandbox_path(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  auto path = normalize_sandbox_path(text);
  if (!path) return c.error(path.error().message);
  return *path;
}

Result<std::string> host_path(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  auto path = absolute_host_path(text);
  if (!path) return c.error(path.error().message);
  return *path;
}

Result<std::string> mount_target(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  auto target = sandbox_mount_target(text);
  if (!target) return c.error(target.error().message);
  return *target;
}

Status apply_rootfs(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  if (text == "host") {
    p.rootfs = text;
    return {};
  }
  if (valid_tree_name(text)) {
    p.rootfs = text;  // a built tree, looked up in the stores when the policy is used
    return {};
  }
  if (text.empty() || text[0] != '/') {
    return c.error("expected \"host\", the name of a built tree (sbx rootfs list) or the absolute path of a root "
                   "filesystem tree, got " + quoted(text));
  }
  SBX_ASSIGN_OR_RETURN(p.rootfs, host_path(c));
  if (p.rootfs == "/") return c.error("use \"host\" for the host's system directories, not /");
  return {};
}

Status apply_identity(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"uid", "gid", "user", "hostname"}));
  bool user_given = false;
  bool gid_given = false;
  const uid_t previous_uid = p.uid;
  for (const auto& [key, v] : entries) {
    if (key == "uid") {
      SBX_ASSIGN_OR_RETURN(const uint64_t uid, v.whole_number(kMaxId));
      p.uid = static_cast<uid_t>(uid);
    } else if (key == "gid") {
      SBX_ASSIGN_OR_RETURN(const uint64_t gid, v.whole_number(kMaxId));
      p.gid = static_cast<gid_t>(gid);
      gid_given = true;
    } else if (key == "user") {
      SBX_ASSIGN_OR_RETURN(p.user_name, v.scalar());
      if (!valid_user_name(p.user_name)) {
        return v.error(quoted(p.user_name) + " is not a valid user name (letters, digits, _ - ., at most 32)");
      }
      user_given = true;
    } else {
      SBX_ASSIGN_OR_RETURN(p.hostname, v.scalar());
      if (!valid_hostname(p.hostname)) {
        return v.error(quoted(p.hostname) + " is not a valid hostname (" + kHostnameRule + ")");
      }
    }
  }
  // As with --uid 0: the user inside is then called root unless the policy names it, and the
  // group follows the uid.
  if (!user_given && p.uid == 0 && p.user_name == kDefaultUserName) p.user_name = "root";
  if (!gid_given && p.gid == paired_gid(previous_uid)) p.gid = paired_gid(p.uid);
  return {};
}

Status apply_workspace(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"mount", "writable", "workdir"}));
  for (const auto& [key, v] : entries) {
    if (key == "mount") {
      SBX_ASSIGN_OR_RETURN(p.mount_workspace, v.boolean());
    } else if (key == "writable") {
      SBX_ASSIGN_OR_RETURN(p.workspace_writable, v.boolean());
    } else {
      SBX_ASSIGN_OR_RETURN(p.workdir, sandbox_path(v));
    }
  }
  return {};
}

// A mount target already used, and by what.
struct UsedTarget {
  std::string target;
  std::string origin;
};

Status claim_target(std::vector<UsedTarget>& used, const std::string& target, const Cursor& at,
                    const std::string& origin) {
  for (const auto& u : used) {
    if (u.target == target) return at.error(target + " is already mounted by " + u.origin);
  }
  used.push_back({target, origin});
  return {};
}

Result<std::vector<BindMount>> parse_mounts(const Cursor& list, std::vector<UsedTarget>& used) {
  SBX_ASSIGN_OR_RETURN(auto items, list.items());
  std::vector<BindMount> mounts;
  for (const Cursor& item : items) {
    SBX_ASSIGN_OR_RETURN(auto entries, section(item, {"source", "target", "read_only"}));
    BindMount m;
    // Read-only unless the policy says otherwise: a policy grants write access only where it says so.
    m.read_only = true;
    m.origin = item.where();
    std::optional<Cursor> target_at;
    for (const auto& [key, v] : entries) {
      if (key == "source") {
        SBX_ASSIGN_OR_RETURN(m.source, host_path(v));
      } else if (key == "target") {
        SBX_ASSIGN_OR_RETURN(m.target, mount_target(v));
        target_at = v;
      } else {
        SBX_ASSIGN_OR_RETURN(m.read_only, v.boolean());
      }
    }
    if (m.source.empty()) return item.error("missing \"source\" (the absolute host path to mount)");
    if (!target_at) return item.error("missing \"target\" (where it appears in the sandbox)");
    SBX_RETURN_IF_ERROR(claim_target(used, m.target, *target_at, m.origin));
    mounts.push_back(std::move(m));
  }
  return mounts;
}

Result<std::vector<TmpfsMount>> parse_tmpfs(const Cursor& list, std::vector<UsedTarget>& used) {
  SBX_ASSIGN_OR_RETURN(auto items, list.items());
  std::vector<TmpfsMount> mounts;
  for (const Cursor& item : items) {
    SBX_ASSIGN_OR_RETURN(auto entries, section(item, {"target", "size"}));
    TmpfsMount t;
    t.size_bytes = kDefaultTmpfsSize;
    t.origin = item.where();
    std::optional<Cursor> target_at;
    for (const auto& [key, v] : entries) {
      if (key == "target") {
        SBX_ASSIGN_OR_RETURN(t.target, mount_target(v));
        target_at = v;
      } else {
        SBX_ASSIGN_OR_RETURN(t.size_bytes, size_at_least(v, kMinTmpfsBytes, "4k"));
      }
    }
    if (!target_at) return item.error("missing \"target\" (where the tmpfs appears in the sandbox)");
    SBX_RETURN_IF_ERROR(claim_target(used, t.target, *target_at, t.origin));
    mounts.push_back(std::move(t));
  }
  return mounts;
}

Status apply_filesystem(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"read_only", "tmp_size", "mounts", "tmpfs"}));
  const Cursor* mounts_at = nullptr;
  const Cursor* tmpfs_at = nullptr;
  for (const auto& [key, v] : entries) {
    if (key == "read_only") {
      SBX_ASSIGN_OR_RETURN(p.read_only, v.boolean());
    } else if (key == "tmp_size") {
      SBX_ASSIGN_OR_RETURN(p.tmp_size_bytes, size_at_least(v, kMinTmpfsBytes, "4k"));
    } else if (key == "mounts") {
      mounts_at = &v;
    } else {
      tmpfs_at = &v;
    }
  }
  // Targets inherited from a parent policy (the lists this document does not replace) count too.
  std::vector<UsedTarget> used;
  if (mounts_at == nullptr) {
    for (const auto& b : p.binds) used.push_back({b.target, b.origin});
  }
  if (tmpfs_at == nullptr) {
    for (const auto& t : p.tmpfs) used.push_back({t.target, t.origin});
  }
  if (mounts_at != nullptr) {
    SBX_ASSIGN_OR_RETURN(p.binds, parse_mounts(*mounts_at, used));
  }
  if (tmpfs_at != nullptr) {
    SBX_ASSIGN_OR_RETURN(p.tmpfs, parse_tmpfs(*tmpfs_at, used));
  }
  return {};
}

Status apply_environment(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"pass", "set"}));
  std::optional<std::vector<std::string>> pass;
  std::vector<std::pair<std::string, Cursor>> set;
  for (const auto& [key, v] : entries) {
    if (key == "pass") {
      SBX_ASSIGN_OR_RETURN(pass, unique_list<std::string>(v, env_name));
    } else {
      SBX_ASSIGN_OR_RETURN(set, v.entries({}));
    }
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [name, value] : set) {
    if (!valid_env_name(name)) {
      return value.error("not a valid variable name (letters, digits and _, not starting with a digit)");
    }
    if (pass && std::find(pass->begin(), pass->end(), name) != pass->end()) {
      return value.error("also in environment.pass; give a variable one way, not both");
    }
    SBX_ASSIGN_OR_RETURN(std::string text, value.scalar());
    values.emplace_back(name, std::move(text));
  }
  // Whichever way a variable was given last wins, across extends too.
  if (pass) {
    p.env_pass = *pass;
    for (const auto& name : *pass) std::erase_if(p.env, [&](const EnvVar& e) { return e.name == name; });
  }
  for (auto& [name, value] : values) set_env(p, name, std::move(value));
  return {};
}

Status apply_rlimits(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, c.entries({}));
  for (const auto& [name, v] : entries) {
    if (!rlimits::resource_from_name(name)) {
      // parse_ulimit's message lists the known names.
      return v.error(rlimits::parse_ulimit(name + "=0").error().message);
    }
    SBX_ASSIGN_OR_RETURN(std::string value, v.scalar());
    auto limit = rlimits::parse_ulimit(name + "=" + value);
    if (!limit) return v.error(limit.error().message + " (e.g. 1024, \"256:512\", unlimited)");
    std::erase_if(p.rlimits, [&](const Rlimit& r) { return r.resource == limit->resource; });
    p.rlimits.push_back(*limit);
  }
  return {};
}

Status apply_landlock(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"enforcement"}));
  for (const auto& [key, v] : entries) {
    SBX_ASSIGN_OR_RETURN(p.landlock, enforcement(v));
  }
  return {};
}

Result<std::string> syscall_name(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string name, c.scalar());
  if (!seccomp::syscall_name_known(name)) return c.error("unknown syscall " + quoted(name));
  return name;
}

Result<std::string> allowable_syscall(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string name, syscall_name(c));
  const auto denied = seccomp::default_denied_syscalls();
  if (std::find(denied.begin(), denied.end(), name) == denied.end()) {
    return c.error(name + " is not on the default deny list, so there is nothing to allow (see sbx-policy(5))");
  }
  return name;
}

Result<uint64_t> ioctl_request(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  if (auto known = seccomp::ioctl_request_from_name(text)) return *known;
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    const std::string digits = hex ? text.substr(2) : text;
    const bool well_formed = !digits.empty() && digits.size() <= 16 &&
                             digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") ==
                                 std::string::npos;
    if (well_formed) {
      const uint64_t value = std::strtoull(digits.c_str(), nullptr, hex ? 16 : 10);
      if (value <= 0xffffffff) return value;
      return c.error("ioctl requests are 32-bit; " + text + " is too large");
    }
  }
  return c.error("unknown ioctl request " + quoted(text) + " (give a name like TIOCSTI or a number like 0x5412)");
}

Result<int> socket_family(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  if (auto family = seccomp::socket_family_from_name(text)) return *family;
  return c.error("unknown socket family " + quoted(text) + " (known: " + seccomp::socket_family_names() + ")");
}

Status apply_seccomp(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"enforcement", "deny_action", "deny", "allow", "deny_ioctls",
                                                 "deny_socket_families"}));
  SeccompRules& r = p.seccomp_rules;
  const Cursor* allow_at = nullptr;
  bool deny_given = false;
  for (const auto& [key, v] : entries) {
    if (key == "enforcement") {
      SBX_ASSIGN_OR_RETURN(p.seccomp, enforcement(v));
    } else if (key == "deny_action") {
      SBX_ASSIGN_OR_RETURN(const std::string action, v.one_of({"errno", "kill", "log"}));
      r.deny_action = action == "errno" ? SeccompDenyAction::kErrno
                      : action == "kill" ? SeccompDenyAction::kKill
                                         : SeccompDenyAction::kLog;
    } else if (key == "deny") {
      SBX_ASSIGN_OR_RETURN(r.deny, unique_list<std::string>(v, syscall_name));
      deny_given = true;
    } else if (key == "allow") {
      SBX_ASSIGN_OR_RETURN(r.allow, unique_list<std::string>(v, allowable_syscall));
      allow_at = &v;
    } else if (key == "deny_ioctls") {
      SBX_ASSIGN_OR_RETURN(r.deny_ioctls, unique_list<uint64_t>(v, ioctl_request));
    } else {
      SBX_ASSIGN_OR_RETURN(r.deny_socket_families, unique_list<int>(v, socket_family));
    }
  }
  // Within one document a syscall cannot be both; across extends, deny wins (documented).
  if (allow_at != nullptr && deny_given) {
    SBX_ASSIGN_OR_RETURN(auto items, allow_at->items());
    for (size_t i = 0; i < r.allow.size(); ++i) {
      if (std::find(r.deny.begin(), r.deny.end(), r.allow[i]) != r.deny.end()) {
        return items[i].error(r.allow[i] + " is also in seccomp.deny; list it in one of them");
      }
    }
  }
  return {};
}

// An optional limit: `none` (or an empty value) unsets it.
template <class T, class Parse>
Status optional_value(const Cursor& v, std::optional<T>& field, Parse parse) {
  if (v.is_none()) {
    field.reset();
    return {};
  }
  auto value = parse(v);
  if (!value) return std::move(value).error();
  field = std::move(*value);
  return {};
}

Result<double> cpus_value(const Cursor& c) {
  SBX_ASSIGN_OR_RETURN(std::string text, c.scalar());
  const bool plain = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos;
  char* end = nullptr;
  const double cpus = plain ? std::strtod(text.c_str(), &end) : 0;
  if (!plain || *end != '\0' || !(cpus >= 0.01 && cpus <= 4096)) {
    return c.error("expected a number of CPUs from 0.01 to 4096 (e.g. 0.5 or 2), got " + quoted(text));
  }
  return cpus;
}

Status apply_limits(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"timeout", "kill_after", "cpu_time", "output", "on_output_limit",
                                                 "memory", "pids", "cpus", "cgroup", "cgroup_parent"}));
  Limits& l = p.limits;
  for (const auto& [key, v] : entries) {
    if (key == "timeout") {
      SBX_RETURN_IF_ERROR(optional_value(v, l.timeout, positive_duration));
    } else if (key == "kill_after") {
      SBX_ASSIGN_OR_RETURN(l.kill_after, positive_duration(v));
    } else if (key == "cpu_time") {
      // Whole seconds, rounded up: the kernel counts RLIMIT_CPU in seconds.
      SBX_RETURN_IF_ERROR(optional_value(v, l.cpu_seconds, [](const Cursor& at) -> Result<uint64_t> {
        SBX_ASSIGN_OR_RETURN(const auto d, positive_duration(at));
        return static_cast<uint64_t>((d.count() + 999'999'999) / 1'000'000'000);
      }));
    } else if (key == "output") {
      SBX_ASSIGN_OR_RETURN(l.output_limit_bytes, size_at_least(v, 1024, "1k"));
    } else if (key == "on_output_limit") {
      SBX_ASSIGN_OR_RETURN(const std::string action, v.one_of({"truncate", "kill"}));
      l.on_output_limit = action == "kill" ? OutputLimitAction::kKill : OutputLimitAction::kTruncate;
    } else if (key == "memory") {
      SBX_RETURN_IF_ERROR(optional_value(v, l.memory_bytes,
                                         [](const Cursor& at) { return size_at_least(at, 1u << 20, "1m"); }));
    } else if (key == "pids") {
      SBX_RETURN_IF_ERROR(optional_value(v, l.pids, [](const Cursor& at) -> Result<uint64_t> {
        SBX_ASSIGN_OR_RETURN(const uint64_t n, at.whole_number(kMaxPids));
        if (n == 0) return at.error("must be at least 1");
        return n;
      }));
    } else if (key == "cpus") {
      SBX_RETURN_IF_ERROR(optional_value(v, l.cpus, cpus_value));
    } else if (key == "cgroup") {
      SBX_ASSIGN_OR_RETURN(l.cgroup, enforcement(v));
    } else {
      SBX_RETURN_IF_ERROR(optional_value(v, l.cgroup_parent, host_path));
    }
  }
  return {};
}

Status apply_secrets(const Cursor& c, Policy& p) {
  SBX_ASSIGN_OR_RETURN(auto entries, section(c, {"pass", "redact_env"}));
  std::optional<Cursor> pass_at;
  std::optional<Cursor> redact_at;
  for (const auto& [key, v] : entries) {
    if (key == "pass") {
      SBX_ASSIGN_OR_RETURN(p.secrets_pass, unique_list<std::string>(v, env_name));
      pass_at = v;
    } else {
      SBX_ASSIGN_OR_RETURN(p.redact_env, unique_list<std::string>(v, env_name));
      redact_at = v;
    }
  }
  if (pass_at && redact_at) {
    SBX_ASSIGN_OR_RETURN(auto items, redact_at->items());
    for (size_t i = 0; i < p.redact_env.size(); ++i) {
      const auto& pass = p.secrets_pass;
      if (std::find(pass.begin(), pass.end(), p.redact_env[i]) != pass.end()) {
        return items[i].error(p.redact_env[i] + " is also in secrets.pass (which redacts it too); list it once");
      }
    }
  }
  return {};
}

}  // namespace

Status apply_document(const Cursor& root, Policy& p) {
  if (root.is_null()) return {};  // an empty file: the defaults (or the parent) unchanged
  SBX_ASSIGN_OR_RETURN(auto entries, root.entries(kTopLevelKeys));
  for (const auto& [key, v] : entries) {
    if (key == "extends") continue;
    if (key == "rootfs") {
      SBX_RETURN_IF_ERROR(apply_rootfs(v, p));
    } else if (key == "identity") {
      SBX_RETURN_IF_ERROR(apply_identity(v, p));
    } else if (key == "workspace") {
      SBX_RETURN_IF_ERROR(apply_workspace(v, p));
    } else if (key == "filesystem") {
      SBX_RETURN_IF_ERROR(apply_filesystem(v, p));
    } else if (key == "environment") {
      SBX_RETURN_IF_ERROR(apply_environment(v, p));
    } else if (key == "network") {
      SBX_ASSIGN_OR_RETURN(const std::string mode, v.one_of({"none", "loopback", "host"}));
      p.network = *network_mode_named(mode);
    } else if (key == "rlimits") {
      SBX_RETURN_IF_ERROR(apply_rlimits(v, p));
    } else if (key == "landlock") {
      SBX_RETURN_IF_ERROR(apply_landlock(v, p));
    } else if (key == "seccomp") {
      SBX_RETURN_IF_ERROR(apply_seccomp(v, p));
    } else if (key == "limits") {
      SBX_RETURN_IF_ERROR(apply_limits(v, p));
    } else {
      SBX_RETURN_IF_ERROR(apply_secrets(v, p));
    }
  }
  return {};
}

}  // namespace sbx::policy::detail
