#include "cli/exec_resolve.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "cli/run_options.h"
#include "policy/env.h"

namespace sbx::cli {
namespace {

bool has_secret(const policy::Policy& p, const std::string& name) {
  for (const auto& s : p.secrets) {
    if (s.name == name) return true;
  }
  return false;
}

// secrets.pass and secrets.redact_env of a policy; a flag for the same name came later and wins.
Status add_policy_secrets(policy::Policy& p, const CallerContext& caller) {
  for (const auto& [names, inject, key] : {std::tuple{&p.secrets_pass, true, "secrets.pass"},
                                          std::tuple{&p.redact_env, false, "secrets.redact_env"}}) {
    for (const auto& name : *names) {
      if (has_secret(p, name)) continue;
      auto value = caller.getenv(name);
      if (!value) {
        // Nothing to redact is fine; a secret the program needs but cannot get is not.
        if (!inject) continue;
        return make_error("policy " + p.name + ": " + key + ": " + name + " is not set in your environment");
      }
      if (value->size() < kMinSecretBytes) {
        return make_error("policy " + p.name + ": " + key + ": the value of " + name + " is shorter than " +
                          std::to_string(kMinSecretBytes) +
                          " bytes; redacting it would mangle ordinary output, so it is refused");
      }
      p.secrets.push_back({name, *value, inject});
    }
  }
  return {};
}

}  // namespace

Status check_unique_mount_targets(const policy::Policy& p) {
  std::vector<std::pair<std::string, std::string>> seen;  // target, origin
  auto check = [&seen](const std::string& target, const std::string& origin) -> Status {
    for (const auto& [t, o] : seen) {
      if (t == target) return make_error(origin + ": " + target + " is already mounted by " + o);
    }
    seen.emplace_back(target, origin);
    return {};
  };
  for (const auto& b : p.binds) SBX_RETURN_IF_ERROR(check(b.target, b.origin));
  for (const auto& t : p.tmpfs) SBX_RETURN_IF_ERROR(check(t.target, t.origin));
  return {};
}

Result<std::string> canonical_host_path(std::string_view path, const std::string& cwd) {
  if (path.empty()) return make_error("host path is empty");
  std::string joined = path[0] == '/' ? std::string(path) : cwd + "/" + std::string(path);
  char resolved[PATH_MAX];
  if (::realpath(joined.c_str(), resolved) == nullptr) {
    return errno_error("host path " + std::string(path));
  }
  return std::string(resolved);
}

Result<std::string> canonical_rootfs(std::string_view path, const std::string& cwd, std::string_view origin) {
  auto dir = canonical_host_path(path, cwd);
  if (!dir) return std::move(dir).error().context(origin);
  struct stat st {};
  if (::stat(dir->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return make_error(std::string(origin) + " " + std::string(path) + ": not a directory");
  }
  if (*dir == "/") {
    return make_error(std::string(origin) + " " + std::string(path) + ": use " + std::string(origin) +
                      " host for the host's system directories");
  }
  return dir;
}

Status resolve_for_run(policy::Policy& p, const CallerContext& caller, const RunResolution& how) {
  if (p.rootfs != "host" && how.rootfs == RootfsLookup::kHere) {
    SBX_ASSIGN_OR_RETURN(p.rootfs, canonical_rootfs(p.rootfs, caller.cwd, "rootfs:"));
  }
  for (auto& bind : p.binds) {
    auto source = canonical_host_path(bind.source, caller.cwd);
    if (!source) return std::move(source).error().context(bind.origin);
    bind.source = *source;
  }
  SBX_RETURN_IF_ERROR(check_unique_mount_targets(p));

  // `-v X:/workspace` or `--tmpfs /workspace` takes the workspace's place.
  const bool workspace_taken =
      std::any_of(p.binds.begin(), p.binds.end(), [](const auto& b) { return b.target == "/workspace"; }) ||
      std::any_of(p.tmpfs.begin(), p.tmpfs.end(), [](const auto& t) { return t.target == "/workspace"; });
  if (p.mount_workspace && !workspace_taken && caller.cwd != "/") p.workspace_source = caller.cwd;
  // Without a workspace the default working directory would not exist.
  if (p.workspace_source.empty() && !workspace_taken && !how.workdir_given &&
      p.workdir == policy::kDefaultWorkdir) {
    p.workdir = "/";
  }

  for (const char* name : {"USER", "LOGNAME"}) {
    if (!policy::has_env(p, name)) policy::set_env(p, name, p.user_name);
  }
  const std::vector<std::string> pass = p.env_pass;
  for (const auto& name : pass) {
    if (auto value = caller.getenv(name)) policy::set_env(p, name, *value);
  }

  SBX_RETURN_IF_ERROR(add_policy_secrets(p, caller));
  if (p.limits.cpu_seconds) {
    // SIGXCPU at the limit, SIGKILL a second later if the program handles SIGXCPU.
    const uint64_t secs = *p.limits.cpu_seconds;
    std::erase_if(p.rlimits, [](const policy::Rlimit& r) { return r.resource == RLIMIT_CPU; });
    p.rlimits.push_back({RLIMIT_CPU, secs, secs + 1});
  }
  for (const auto& secret : p.secrets) {
    if (secret.inject) policy::set_env(p, secret.name, secret.value);
  }
  return {};
}

}  // namespace sbx::cli
