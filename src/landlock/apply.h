// Child side of Landlock: populate the parent's ruleset with the planned paths and enforce it.
// Runs between clone and execve, after pivot_root and no_new_privs: syscalls only, no
// allocation, no logging, no exceptions.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "landlock/syscalls.h"
#include "landlock/uapi.h"
#include "launch/child_plan.h"

namespace sbx::landlock {

// Returns 0, or -1 with errno set and *failed_path naming the rule path that failed (or
// "landlock_restrict_self"). A plan with ruleset_fd < 0 was skipped by the parent: nothing to do.
// The ruleset fd stays open (it is CLOEXEC); the enforced domain no longer depends on it.
inline int apply_in_child(const launch::LandlockPlan& plan, const char** failed_path) noexcept {
  if (plan.ruleset_fd < 0) return 0;
  for (size_t i = 0; i < plan.rule_count; ++i) {
    const launch::LandlockRule& rule = plan.rules[i];
    if (rule.path == nullptr) {
      if (failed_path != nullptr) *failed_path = "(null rule path)";
      errno = EINVAL;
      return -1;
    }
    // Follows symlinks on purpose: the rule belongs on what the path names (/lib -> usr/lib).
    const int fd = ::open(rule.path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (failed_path != nullptr) *failed_path = rule.path;
      return -1;
    }
    // The parent cannot know whether a sandbox path is a directory; directory-only rights on a
    // file (e.g. /dev/null) would be EINVAL.
    PathBeneathAttr attr{rule.access, fd};
    struct stat st;
    int rc = ::fstat(fd, &st);
    if (rc == 0) {
      if (!S_ISDIR(st.st_mode)) attr.allowed_access &= kFileOnlyAccess;
      rc = add_path_beneath_rule(plan.ruleset_fd, attr);
    }
    const int saved = errno;
    ::close(fd);
    if (rc != 0) {
      errno = saved;
      if (failed_path != nullptr) *failed_path = rule.path;
      return -1;
    }
  }
  if (restrict_self(plan.ruleset_fd, 0) != 0) {
    if (failed_path != nullptr) *failed_path = "landlock_restrict_self";
    return -1;
  }
  return 0;
}

}  // namespace sbx::landlock
