// `sbx doctor`: probes whether this host can run `sbx exec`, and explains what is missing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sbx::doctor {

// kMissing means `sbx exec` cannot work as-is. Optional layers (cgroup limits) and informational
// knobs never use it: they stop at kWarn, so usable() can treat every kMissing as fatal.
enum class Level { kOk, kWarn, kMissing };

struct Check {
  std::string id;      // stable machine id: "userns", "landlock", "syscall.clone3", ...
  std::string title;   // "unprivileged user namespaces"
  Level level = Level::kOk;
  std::string detail;  // what was found: "Landlock ABI 7 (...)"
  std::string fix;     // one concrete fix when not ok; empty when ok
};

struct Report {
  std::vector<Check> checks;
  bool usable() const;  // no kMissing anywhere
};

// Probes this host without privileges and without leaving anything behind: forked probes are
// reaped within a bounded wait, every fd is closed, nothing under /sys/fs/cgroup is written.
// The order of checks is stable.
Report run_checks();

// Aligned "ok       Landlock        ABI 7: ..." rows (status, title, detail), a "fix:" line
// under every row that is not ok, and a closing "verdict: usable|not usable: ..." line.
std::string render_text(const Report& report);

// {"sbx_version":"0.1.0","usable":bool,
//  "checks":[{"id","title","status":"ok|warn|missing","detail","fix"}]}; "fix" is "" when ok.
nlohmann::ordered_json render_json(const Report& report);

const char* level_name(Level level);  // "ok", "warn", "missing"

// One line, "<cause>; fix: <fix>", for a failed clone/unshare(CLONE_NEWUSER) with errno `err`.
// Reads the user-namespace sysctls of this host to name the knob that blocks it.
std::string explain_userns_failure(int err);

}  // namespace sbx::doctor
