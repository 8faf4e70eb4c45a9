// The last step before a run: the declarative parts of a policy resolved against the caller
// (its directory, environment and file system). `sbx policy show` stops before this step, so
// it prints the policy, not one caller's values.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/exec_options.h"
#include "policy/policy.h"

namespace sbx::cli {

// Where a run's rootfs is looked up: on this host (a directory, made canonical), or by the service
// a --remote run goes to (a tree name, sent as it is).
enum class RootfsLookup { kHere, kByTheService };

struct RunResolution {
  RootfsLookup rootfs = RootfsLookup::kHere;
  // The working directory was given (-w): it is kept even without a workspace, where the
  // default /workspace becomes /.
  bool workdir_given = false;
};

// The workspace becomes the caller's directory, env_pass and the policy's secrets become values
// from the caller's environment, mount sources and rootfs (kHere) become canonical paths, USER
// and LOGNAME default to the user's name, and secrets with `inject` are put in the environment.
Status resolve_for_run(policy::Policy& p, const CallerContext& caller, const RunResolution& how = {});

// No two mounts (binds and tmpfs) at the same target; the error names both origins.
Status check_unique_mount_targets(const policy::Policy& p);

// Resolves a host path the caller named (relative to `cwd`) to its canonical form. Symlinks
// are followed here, once; the child later refuses any symlink on the canonical path, so a
// swap between now and the mount cannot redirect it.
Result<std::string> canonical_host_path(std::string_view path, const std::string& cwd);

// A prebuilt root filesystem: a directory other than "/", canonical. `origin` names where the
// path came from in errors ("--rootfs" or "rootfs:").
Result<std::string> canonical_rootfs(std::string_view path, const std::string& cwd, std::string_view origin);

}  // namespace sbx::cli
