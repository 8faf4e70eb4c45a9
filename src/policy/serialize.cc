#include "policy/serialize.h"

#include <sys/resource.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include <fmt/format.h>

#include "base/sha256.h"
#include "base/units.h"
#include "policy/network_mode.h"
#include "rlimits/names.h"
#include "seccomp/names.h"

namespace sbx::policy {
namespace {

using Json = nlohmann::ordered_json;

const char* enforcement_name(Enforcement e) { return e == Enforcement::kRequired ? "required" : "best-effort"; }

const char* deny_action_name(SeccompDenyAction a) {
  switch (a) {
    case SeccompDenyAction::kErrno: return "errno";
    case SeccompDenyAction::kKill: return "kill";
    case SeccompDenyAction::kLog: return "log";
  }
  return "errno";
}

// 1024, "16m", "256:512" or "unlimited": the forms rlimits::parse_ulimit reads.
Json rlimit_value(const Rlimit& r) {
  const bool bytes = rlimits::counts_bytes(r.resource);
  const auto one = [bytes](uint64_t v) -> std::string {
    if (v == static_cast<uint64_t>(RLIM_INFINITY)) return "unlimited";
    return bytes ? format_size(v) : std::to_string(v);
  };
  if (r.soft != r.hard) return one(r.soft) + ":" + one(r.hard);
  if (bytes || r.soft == static_cast<uint64_t>(RLIM_INFINITY)) return one(r.soft);
  return r.soft;
}

Json rlimits_json(const Policy& p) {
  std::vector<Rlimit> sorted = p.rlimits;
  std::sort(sorted.begin(), sorted.end(), [](const Rlimit& a, const Rlimit& b) {
    return std::string_view(rlimits::resource_name(a.resource)) < std::string_view(rlimits::resource_name(b.resource));
  });
  Json j = Json::object();
  for (const auto& r : sorted) j[rlimits::resource_name(r.resource)] = rlimit_value(r);
  return j;
}

Json seccomp_json(const Policy& p) {
  const SeccompRules& r = p.seccomp_rules;
  Json ioctls = Json::array();
  for (uint64_t request : r.deny_ioctls) {
    if (auto name = seccomp::ioctl_request_name(request)) {
      ioctls.push_back(std::string(*name));
    } else {
      ioctls.push_back(fmt::format("{:#x}", request));
    }
  }
  Json families = Json::array();
  for (int family : r.deny_socket_families) {
    auto name = seccomp::socket_family_name(family);
    families.push_back(name ? std::string(*name) : std::to_string(family));
  }
  return {{"enforcement", enforcement_name(p.seccomp)},
          {"deny_action", deny_action_name(r.deny_action)},
          {"deny", r.deny},
          {"allow", r.allow},
          {"deny_ioctls", ioctls},
          {"deny_socket_families", families}};
}

Json limits_json(const Limits& l) {
  Json j = Json::object();
  j["timeout"] = l.timeout ? Json(format_duration(*l.timeout)) : Json();
  j["kill_after"] = format_duration(l.kill_after);
  j["cpu_time"] = l.cpu_seconds ? Json(format_duration(std::chrono::seconds(*l.cpu_seconds))) : Json();
  j["output"] = format_size(l.output_limit_bytes);
  j["on_output_limit"] = l.on_output_limit == OutputLimitAction::kKill ? "kill" : "truncate";
  j["memory"] = l.memory_bytes ? Json(format_size(*l.memory_bytes)) : Json();
  j["pids"] = l.pids ? Json(*l.pids) : Json();
  j["cpus"] = l.cpus ? Json(*l.cpus) : Json();
  j["cgroup"] = enforcement_name(l.cgroup);
  j["cgroup_parent"] = l.cgroup_parent ? Json(*l.cgroup_parent) : Json();
  return j;
}

Json secrets_json(const Policy& p) {
  // Secrets given by flags (--secret NAME) are passed in like secrets.pass; values never appear.
  std::vector<std::string> pass = p.secrets_pass;
  for (const auto& s : p.secrets) {
    if (s.inject && std::find(pass.begin(), pass.end(), s.name) == pass.end()) pass.push_back(s.name);
  }
  return {{"pass", pass}, {"redact_env", p.redact_env}};
}

void emit(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& [key, value] : j.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, value);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array: {
      // Lists of names read best on one line; lists of mappings (mounts) one item per line.
      const bool flat = std::all_of(j.begin(), j.end(), [](const Json& v) { return v.is_primitive(); });
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& value : j) emit(out, value);
      out << YAML::EndSeq;
      return;
    }
    case Json::value_t::string: {
      // yaml-cpp picks plain or block style by itself, and in those a carriage return or other
      // control byte does not read back (a trailing \r is dropped); escaped, it does.
      const std::string s = j.get<std::string>();
      const bool control = std::any_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      });
      if (control) out << YAML::DoubleQuoted;
      out << s;
      return;
    }
    case Json::value_t::boolean:
      out << j.get<bool>();
      return;
    case Json::value_t::number_unsigned:
      out << j.get<uint64_t>();
      return;
    case Json::value_t::number_integer:
      out << j.get<int64_t>();
      return;
    case Json::value_t::number_float:
      // The shortest text that reads back as the same double.
      out << fmt::format("{}", j.get<double>());
      return;
    default:
      // An unset optional limit; the loader reads "none" (or a YAML null) as unset.
      out << "none";
      return;
  }
}

}  // namespace

Json policy_to_json(const Policy& p) {
  Json mounts = Json::array();
  for (const auto& b : p.binds) {
    mounts.push_back({{"source", b.source}, {"target", b.target}, {"read_only", b.read_only}});
  }
  Json tmpfs = Json::array();
  for (const auto& t : p.tmpfs) tmpfs.push_back({{"target", t.target}, {"size", format_size(t.size_bytes)}});
  Json set = Json::object();
  for (const auto& e : p.env) set[e.name] = e.value;

  Json j = Json::object();
  j["rootfs"] = p.rootfs;
  j["identity"] = {{"uid", p.uid}, {"gid", p.gid}, {"user", p.user_name}, {"hostname", p.hostname}};
  j["workspace"] = {{"mount", p.mount_workspace}, {"writable", p.workspace_writable}, {"workdir", p.workdir}};
  j["filesystem"] = {{"read_only", p.read_only},
                     {"tmp_size", format_size(p.tmp_size_bytes)},
                     {"mounts", mounts},
                     {"tmpfs", tmpfs}};
  j["environment"] = {{"pass", p.env_pass}, {"set", set}};
  j["network"] = network_mode_name(p.network);
  j["rlimits"] = rlimits_json(p);
  j["landlock"] = {{"enforcement", enforcement_name(p.landlock)}};
  j["seccomp"] = seccomp_json(p);
  j["limits"] = limits_json(p.limits);
  j["secrets"] = secrets_json(p);
  return j;
}

std::string policy_to_yaml(const Policy& p, const std::string& header) {
  YAML::Emitter out;
  emit(out, policy_to_json(p));
  std::string text;
  size_t start = 0;
  while (start < header.size()) {
    const size_t end = std::min(header.find('\n', start), header.size());
    text += "# " + header.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return text + out.c_str() + "\n";
}

std::string canonical_policy_json(const Policy& p) {
  // `replace`: a flag can carry bytes that are not UTF-8; hashing must not throw on them.
  return policy_to_json(p).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string policy_sha256(const Policy& p) { return sha256_hex(canonical_policy_json(p)); }

}  // namespace sbx::policy
