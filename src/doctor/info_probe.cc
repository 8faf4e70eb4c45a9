// Host hardening knobs that sbx does not depend on: its seccomp filter denies bpf() and TIOCSTI
// inside the sandbox either way. They are reported because they matter for everything on the
// host that is not sandboxed, so they stop at warn.
#include <string>

#include "doctor/host_files.h"
#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

constexpr const char* kBpfKnob = "kernel.unprivileged_bpf_disabled";
constexpr const char* kTiocstiKnob = "dev.tty.legacy_tiocsti";

}  // namespace

Check evaluate_unprivileged_bpf(std::optional<int64_t> value) {
  Check c{"info.unprivileged_bpf", "unprivileged BPF", Level::kOk, "", ""};
  if (!value) {
    c.detail = std::string(kBpfKnob) + " absent: this kernel has no bpf() syscall";
    return c;
  }
  const std::string setting = std::string(kBpfKnob) + "=" + std::to_string(*value);
  if (*value == 0) {
    c.level = Level::kWarn;
    c.detail = setting + ": any user may load BPF programs, a common kernel attack surface "
                         "(sbx denies bpf() inside the sandbox)";
    c.fix = std::string("sudo sysctl -w ") + kBpfKnob + "=2";
    return c;
  }
  c.detail = setting + ": bpf() needs privileges" +
             (*value == 1 ? " (locked until reboot)" : "");
  return c;
}

Check evaluate_legacy_tiocsti(std::optional<int64_t> value) {
  Check c{"info.legacy_tiocsti", "legacy TIOCSTI", Level::kOk, "", ""};
  if (!value) {
    c.level = Level::kWarn;
    c.detail = std::string(kTiocstiKnob) +
               " absent (Linux before 6.2): any program on a terminal can push keystrokes into it "
               "with TIOCSTI (sbx denies TIOCSTI inside the sandbox)";
    c.fix = std::string("upgrade to Linux 6.2 or later and set ") + kTiocstiKnob + "=0";
    return c;
  }
  const std::string setting = std::string(kTiocstiKnob) + "=" + std::to_string(*value);
  if (*value != 0) {
    c.level = Level::kWarn;
    c.detail = setting + ": unprivileged programs can push keystrokes into their terminal with "
                         "TIOCSTI (sbx denies TIOCSTI inside the sandbox)";
    c.fix = std::string("sudo sysctl -w ") + kTiocstiKnob + "=0";
    return c;
  }
  c.detail = setting + ": TIOCSTI needs CAP_SYS_ADMIN";
  return c;
}

Check probe_unprivileged_bpf() {
  return evaluate_unprivileged_bpf(knob_or_absent("/proc/sys/kernel/unprivileged_bpf_disabled"));
}

Check probe_legacy_tiocsti() {
  return evaluate_legacy_tiocsti(knob_or_absent("/proc/sys/dev/tty/legacy_tiocsti"));
}

}  // namespace sbx::doctor
