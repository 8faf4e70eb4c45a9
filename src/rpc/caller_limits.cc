#include "rpc/caller_limits.h"

#include <algorithm>
#include <cstdio>

namespace sbx::rpc {
namespace {

std::string bytes_text(uint64_t n) {
  for (const auto& [shift, suffix] : {std::pair{30, "g"}, std::pair{20, "m"}, std::pair{10, "k"}}) {
    if (n >= (1ull << shift) && n % (1ull << shift) == 0) return std::to_string(n >> shift) + suffix;
  }
  return std::to_string(n);
}

template <class T, class Text>
Status cap(std::optional<T>& value, const std::optional<T>& ceiling, const std::string& field, Text text) {
  if (!ceiling) return {};
  if (!value) {
    value = ceiling;
    return {};
  }
  if (*value > *ceiling) {
    return make_error(field + ": " + text(*value) + " is more than the " + text(*ceiling) + " this caller may ask for");
  }
  return {};
}

}  // namespace

std::string format_duration(std::chrono::nanoseconds d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

Status apply_caller_limits(RunRequest& r, const CallerLimits& l) {
  SBX_RETURN_IF_ERROR(cap(r.limits.timeout, l.max_timeout, "params.limits.timeout", format_duration));
  SBX_RETURN_IF_ERROR(cap(r.limits.memory, l.max_memory, "params.limits.memory", bytes_text));
  SBX_RETURN_IF_ERROR(cap(r.limits.pids, l.max_pids, "params.limits.pids",
                          [](uint64_t n) { return std::to_string(n); }));
  SBX_RETURN_IF_ERROR(cap(r.limits.output_limit, l.max_output, "params.limits.output_limit", bytes_text));
  if (l.max_cpus && !r.limits.cpus) r.limits.cpus = l.max_cpus;
  if (l.max_cpus && *r.limits.cpus > *l.max_cpus) {
    char text[64];
    std::snprintf(text, sizeof(text), "%g is more than the %g", *r.limits.cpus, *l.max_cpus);
    return make_error("params.limits.cpus: " + std::string(text) + " CPUs this caller may ask for");
  }
  if (l.policies) {
    const std::string name = r.policy.empty() ? "default" : r.policy;
    if (std::find(l.policies->begin(), l.policies->end(), name) == l.policies->end()) {
      std::string list;
      for (const auto& p : *l.policies) list += (list.empty() ? "" : ", ") + p;
      return make_error("params.policy: \"" + name + "\" is not allowed for this caller (allowed: " + list + ")");
    }
  }
  if (!r.rootfs.empty() && r.rootfs != "host" && l.rootfs) {
    const auto it = l.rootfs->find(r.rootfs);
    if (it == l.rootfs->end()) {
      std::string list = "host";
      for (const auto& [name, path] : *l.rootfs) list += ", " + name;
      return make_error("params.rootfs: \"" + r.rootfs + "\" is not a root tree this service offers (offered: " +
                        list + ")");
    }
    r.rootfs = it->second;
  }
  if (r.network == "host" && !l.allow_host_network) {
    return make_error("params.network: \"host\" is not allowed for this caller");
  }
  if (!l.allow_best_effort) {
    for (const auto& [field, value] :
         {std::pair{"params.landlock", &r.landlock}, std::pair{"params.seccomp", &r.seccomp},
          std::pair{"params.limits.cgroup", &r.limits.cgroup}}) {
      if (*value == "best-effort") return make_error(std::string(field) + ": \"best-effort\" is not allowed for this caller");
    }
  }
  if (l.cgroup) r.limits.cgroup = l.cgroup;
  return {};
}

Json caller_limits_json(const CallerLimits& l) {
  Json j = Json::object();
  j["max_timeout_ms"] = l.max_timeout ? Json(std::chrono::duration_cast<std::chrono::milliseconds>(*l.max_timeout).count())
                                      : Json(nullptr);
  j["max_memory_bytes"] = l.max_memory ? Json(*l.max_memory) : Json(nullptr);
  j["max_pids"] = l.max_pids ? Json(*l.max_pids) : Json(nullptr);
  j["max_cpus"] = l.max_cpus ? Json(*l.max_cpus) : Json(nullptr);
  j["max_output_bytes"] = l.max_output ? Json(*l.max_output) : Json(nullptr);
  j["max_concurrency"] = l.max_concurrency;
  j["policies"] = l.policies ? Json(*l.policies) : Json(nullptr);
  if (l.rootfs) {
    Json names = Json::array({"host"});
    for (const auto& [name, path] : *l.rootfs) names.push_back(name);
    j["rootfs"] = names;
  } else {
    j["rootfs"] = nullptr;
  }
  j["host_network"] = l.allow_host_network;
  j["best_effort"] = l.allow_best_effort;
  return j;
}

}  // namespace sbx::rpc
