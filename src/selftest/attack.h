// One escape attempt of `sbx selftest`: code that runs inside a sandbox (and once without one,
// the control) and says whether it achieved a forbidden effect, plus what the runner checks
// from outside.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "selftest/targets.h"

namespace sbx::selftest {

// What an attack reports about itself. kBlocked also covers "the syscall was refused": the
// runner decides from both runs whether the attack proves anything.
struct Report {
  bool escaped = false;
  std::string detail;
};

struct AttackContext {
  const Targets& targets;
  bool control = false;  // running without sbx: prepare the stage a sandbox would have set
};

// What the runner looks at from outside after a run, besides the attack's own report.
enum class HostCheck {
  kNone,
  kCanaryFile,       // the canary file changed, or something appeared beside it
  kCanaryProcess,    // the canary process was killed
  kListeners,        // a loopback listener of the runner was reached
  kWorkspaceMarker,  // the attack left the run behind and wrote `late-marker` after it ended
  kOutputVolume,     // more than the output limit reached the caller
};

struct Attack {
  const char* name;      // "fs.proc-self-root"
  const char* category;  // filesystem, process, resource, network, kernel, leak
  const char* goal;      // the forbidden effect, one line
  Report (*run)(const AttackContext&);
  HostCheck host_check = HostCheck::kNone;
  // sbx exec flags the protected run adds to the policy under test, space-separated: the limit
  // that is attacked ("--pids 64 --cgroup best-effort").
  const char* limits = "";
  bool terminal = false;  // stdin is a pseudo-terminal (the runner's), for the tty attacks
};

std::span<const Attack> filesystem_attacks();
std::span<const Attack> process_attacks();
std::span<const Attack> resource_attacks();
std::span<const Attack> network_attacks();
std::span<const Attack> kernel_attacks();
std::span<const Attack> leak_attacks();

// Every attack, in table order.
std::vector<const Attack*> all_attacks();
const Attack* find_attack(std::string_view name);

}  // namespace sbx::selftest
