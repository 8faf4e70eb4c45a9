// Proves that user namespaces work by making one, rather than inferring it from sysctls.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/unique_fd.h"
#include "doctor/bounded_child.h"
#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

enum UsernsStage : int { kUnshare = 1, kOpenSetgroups, kWriteSetgroups, kOpenUidMap, kWriteUidMap };

struct UidMapLine {
  char text[64];
  size_t len;
};

// Child side: async-signal-safe only. The same steps sbx exec performs for its own userns.
ChildOutcome make_userns(const void* arg) noexcept {
  const auto* map = static_cast<const UidMapLine*>(arg);
  if (::unshare(CLONE_NEWUSER) != 0) return {kUnshare, errno};
  // "deny" must precede an unprivileged gid_map; writing it proves the file is ours to write.
  UniqueFd setgroups(::open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC));
  if (!setgroups.valid()) return {kOpenSetgroups, errno};
  if (::write(setgroups.get(), "deny", 4) != 4) return {kWriteSetgroups, errno};
  UniqueFd uid_map(::open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC));
  if (!uid_map.valid()) return {kOpenUidMap, errno};
  if (::write(uid_map.get(), map->text, map->len) != static_cast<ssize_t>(map->len)) {
    return {kWriteUidMap, errno};
  }
  return {};
}

const char* stage_name(int stage) {
  switch (stage) {
    case kUnshare:
      return "unshare(CLONE_NEWUSER)";
    case kOpenSetgroups:
      return "open /proc/self/setgroups";
    case kWriteSetgroups:
      return "write \"deny\" to /proc/self/setgroups";
    case kOpenUidMap:
      return "open /proc/self/uid_map";
    case kWriteUidMap:
      return "write /proc/self/uid_map";
    default:
      return "userns probe";
  }
}

}  // namespace

Check probe_userns() {
  Check c{"userns", "unprivileged user namespaces", Level::kOk, "", ""};
  const uid_t uid = ::geteuid();
  UidMapLine map{};
  const int len = std::snprintf(map.text, sizeof(map.text), "0 %u 1\n", static_cast<unsigned>(uid));
  map.len = static_cast<size_t>(len);

  auto outcome = run_bounded_child(&make_userns, &map, std::chrono::seconds(5));
  if (!outcome) {
    c.level = Level::kMissing;
    c.detail = "the user namespace probe failed: " + outcome.error().message;
    c.fix = "make sure this user may fork a process (ulimit -u) and run sbx doctor again";
    return c;
  }
  const std::string map_text(map.text, map.len - 1);
  if (outcome->stage == 0) {
    c.detail = "unshare(CLONE_NEWUSER) and uid_map \"" + map_text + "\" work as uid " +
               std::to_string(uid);
    if (caller_has_cap_sys_admin()) {
      c.detail += " (with CAP_SYS_ADMIN: run sbx doctor as an ordinary user to test theirs)";
    }
    return c;
  }
  c.level = Level::kMissing;
  const Diagnosis d = diagnose_userns_failure(outcome->sys_errno, read_userns_knobs());
  c.detail = std::string(stage_name(outcome->stage)) + " failed as uid " + std::to_string(uid) +
             ": " + errno_label(outcome->sys_errno) + "; " + d.cause;
  c.fix = d.fix;
  return c;
}

}  // namespace sbx::doctor
