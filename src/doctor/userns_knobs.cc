// The sysctls (and the AppArmor setting) that block user namespaces, and what to tell the user
// about each.
#include <sys/capability.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "base/file_contents.h"
#include "doctor/host_files.h"
#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

constexpr const char* kCloneKnob = "kernel.unprivileged_userns_clone";
constexpr const char* kMaxKnob = "user.max_user_namespaces";
constexpr const char* kAppArmorKnob = "kernel.apparmor_restrict_unprivileged_userns";
constexpr const char* kAppArmorProfile = "/etc/apparmor.d/sbx";

std::string describe(const char* name, std::optional<int64_t> value) {
  return value ? std::string(name) + "=" + std::to_string(*value) : std::string(name) + " absent";
}

bool clone_knob_blocks(const UsernsKnobs& k) {
  return k.unprivileged_userns_clone && *k.unprivileged_userns_clone == 0;
}
bool max_blocks(const UsernsKnobs& k) { return k.max_user_namespaces && *k.max_user_namespaces <= 0; }
bool apparmor_restricts(const UsernsKnobs& k) {
  return k.apparmor_restrict_unprivileged_userns && *k.apparmor_restrict_unprivileged_userns != 0;
}
// A process confined by a profile is judged by that profile's `userns,` rule instead of the
// restriction that Ubuntu applies to unconfined processes.
bool apparmor_confined(const UsernsKnobs& k) {
  return !k.apparmor_label.empty() && k.apparmor_label != "unconfined";
}
bool apparmor_blocks(const UsernsKnobs& k) {
  // Without a readable label (AppArmor interface missing), an installed profile file is the best
  // evidence that the admin already allowed sbx.
  if (k.apparmor_label.empty() && k.apparmor_profile_file) return false;
  return apparmor_restricts(k) && !apparmor_confined(k);
}

std::string profile_name(const std::string& label) {  // "sbx (unconfined)" -> "sbx"
  return label.substr(0, label.find(" ("));
}

std::string apparmor_knob_value(const UsernsKnobs& k) {
  return std::string(kAppArmorKnob) + "=" + std::to_string(*k.apparmor_restrict_unprivileged_userns);
}

// Only meaningful when apparmor_restricts(k).
Diagnosis apparmor_diagnosis(const UsernsKnobs& k) {
  if (apparmor_confined(k)) {
    return {"sbx runs under the AppArmor profile '" + profile_name(k.apparmor_label) +
                "', which must allow user namespaces (" + apparmor_knob_value(k) + ")",
            "add the rule 'userns,' to the AppArmor profile '" + profile_name(k.apparmor_label) +
                "' and reload it with sudo apparmor_parser -r on its file"};
  }
  if (k.apparmor_profile_file) {
    return {"user namespaces are blocked by " + apparmor_knob_value(k) + ", and " +
                kAppArmorProfile + " does not apply to " + k.sbx_path + " (it runs unconfined)",
            std::string("make the profile in ") + kAppArmorProfile + " attach to " + k.sbx_path +
                " and load it with sudo apparmor_parser -r " + kAppArmorProfile};
  }
  return {"user namespaces are blocked by " + apparmor_knob_value(k) +
              " (Ubuntu's AppArmor restriction for unconfined programs)",
          "give sbx an AppArmor profile that allows them: printf 'abi <abi/4.0>,\\ninclude "
          "<tunables/global>\\nprofile sbx " +
              k.sbx_path + " flags=(unconfined) {\\n  userns,\\n}\\n' | sudo tee " +
              kAppArmorProfile + " >/dev/null && sudo apparmor_parser -r " + kAppArmorProfile +
              " (or, host-wide: sudo sysctl -w " + kAppArmorKnob + "=0)"};
}

}  // namespace

UsernsKnobs read_userns_knobs() {
  UsernsKnobs k;
  k.unprivileged_userns_clone = knob_or_absent("/proc/sys/kernel/unprivileged_userns_clone");
  k.max_user_namespaces = knob_or_absent("/proc/sys/user/max_user_namespaces");
  k.apparmor_restrict_unprivileged_userns =
      knob_or_absent("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  k.apparmor_profile_file = ::access(kAppArmorProfile, F_OK) == 0;
  // The AppArmor-specific attr file (Linux 5.8+); the generic /proc/self/attr/current belongs to
  // whichever LSM is primary and could be an SELinux context.
  if (auto label = read_file_contents("/proc/self/attr/apparmor/current", 4096)) {
    std::string text = std::move(*label);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    k.apparmor_label = std::move(text);
  }
  char exe[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) k.sbx_path.assign(exe, static_cast<size_t>(n));
  return k;
}

bool caller_has_cap_sys_admin() {
  cap_t caps = ::cap_get_proc();
  if (caps == nullptr) return false;
  cap_flag_value_t value = CAP_CLEAR;
  const bool ok = ::cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &value) == 0;
  ::cap_free(caps);
  return ok && value == CAP_SET;
}

Diagnosis diagnose_userns_failure(int err, const UsernsKnobs& k) {
  switch (err) {
    case EPERM:
    case EACCES:
      if (clone_knob_blocks(k)) {
        return {std::string("user namespaces are disabled for unprivileged users by ") +
                    kCloneKnob + "=0",
                std::string("sudo sysctl -w ") + kCloneKnob + "=1"};
      }
      // On Ubuntu 23.10+ unshare() itself succeeds, but the namespace gets no capabilities, so
      // it is the uid_map write that fails with EPERM.
      if (apparmor_restricts(k)) return apparmor_diagnosis(k);
      return {"user namespaces are refused although no sysctl blocks them: sbx probably runs in a "
              "chroot or under a seccomp profile (container) that forbids CLONE_NEWUSER",
              "run sbx on the host, or allow clone/unshare with CLONE_NEWUSER in the container's "
              "seccomp profile"};
    case ENOSPC:
    case EUSERS:  // kernels before 4.9 reported the nesting limit as EUSERS
      if (max_blocks(k)) {
        return {std::string("user namespaces are disabled by ") + kMaxKnob + "=" +
                    std::to_string(*k.max_user_namespaces),
                std::string("sudo sysctl -w ") + kMaxKnob + "=15000"};
      }
      return {std::string("the user namespace limit is reached (") +
                  describe(kMaxKnob, k.max_user_namespaces) +
                  " per user, or the nesting depth limit of 32)",
              std::string("raise the limit with sudo sysctl -w ") + kMaxKnob +
                  "=<larger value>, or run sbx from a less deeply nested namespace"};
    case EINVAL:
      return {"the kernel rejects CLONE_NEWUSER: it is built without CONFIG_USER_NS",
              "use a kernel built with CONFIG_USER_NS=y"};
    case ENOMEM:
      return {"the kernel is out of memory for a new namespace", "free memory and retry"};
    default:
      return {"creating a user namespace failed with " + errno_label(err),
              "run 'sbx doctor' to see which host feature is missing"};
  }
}

std::string explain_userns_failure(int err, const UsernsKnobs& knobs) {
  const Diagnosis d = diagnose_userns_failure(err, knobs);
  return d.cause + "; fix: " + d.fix;
}

std::string explain_userns_failure(int err) {
  return explain_userns_failure(err, read_userns_knobs());
}

Check evaluate_userns_knobs(const UsernsKnobs& k, bool privileged) {
  Check c{"userns.sysctl", "user namespace sysctls", Level::kOk, "", ""};
  c.detail = describe(kMaxKnob, k.max_user_namespaces) + ", " +
             describe(kCloneKnob, k.unprivileged_userns_clone) + ", " +
             describe(kAppArmorKnob, k.apparmor_restrict_unprivileged_userns);

  auto block = [&c](Level level, const std::string& what, const std::string& fix) {
    if (level > c.level) c.level = level;
    c.detail += "; " + what;
    if (c.fix.empty()) c.fix = fix;
  };
  // Root and other CAP_SYS_ADMIN holders pass the unprivileged-only knobs, but sbx is meant for
  // ordinary users, so those knobs still earn a warning.
  const Level unprivileged_level = privileged ? Level::kWarn : Level::kMissing;
  const std::string whom = privileged ? " (not this caller, which has CAP_SYS_ADMIN)" : "";
  if (max_blocks(k)) {
    block(Level::kMissing, std::string(kMaxKnob) + " disables user namespaces for everyone",
          std::string("sudo sysctl -w ") + kMaxKnob + "=15000");
  }
  if (clone_knob_blocks(k)) {
    block(unprivileged_level, "blocks unprivileged users" + whom,
          std::string("sudo sysctl -w ") + kCloneKnob + "=1");
  }
  if (apparmor_blocks(k)) {
    block(unprivileged_level, "AppArmor restricts user namespaces of unconfined programs" + whom,
          apparmor_diagnosis(k).fix);
  } else if (apparmor_restricts(k)) {
    c.detail += apparmor_confined(k)
                    ? "; sbx runs under the AppArmor profile '" + profile_name(k.apparmor_label) +
                          "', which must contain 'userns,'"
                    : std::string("; ") + kAppArmorProfile + " is installed for sbx";
  }
  if (c.level == Level::kOk) c.detail += "; nothing blocks user namespaces";
  return c;
}

Check reconcile_userns_knobs(const Check& probe, Check knobs) {
  if (probe.level == Level::kOk && knobs.level == Level::kMissing) {
    knobs.level = Level::kWarn;
    knobs.detail += " (but the live user namespace probe succeeded)";
  }
  return knobs;
}

Check probe_userns_sysctls() {
  return evaluate_userns_knobs(read_userns_knobs(), caller_has_cap_sys_admin());
}

}  // namespace sbx::doctor
