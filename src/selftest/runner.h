// Runs one attack twice (without sbx, then in the sandbox under test) and decides what it proves.
#pragma once

#include <string>
#include <vector>

#include "selftest/attack.h"
#include "selftest/fixture.h"

namespace sbx::selftest {

struct RunSide {
  bool escaped = false;
  std::string detail;  // the attack's own report, or what the host saw
  int exit_status = 0;
  bool sbx_failed = false;  // the protected run never started the attack (sbx exit 125)
};

struct AttackOutcome {
  const Attack* attack = nullptr;
  RunSide control;
  RunSide sandbox;
  // pass: shown to work without sbx and stopped by it; fail: it escaped (or sbx could not run
  // it); not demonstrable: it did not work without sbx either, so it proves nothing here.
  std::string verdict;
};

struct RunnerOptions {
  std::string sbx_binary;             // this executable, run as `sbx exec` and bound inside
  std::vector<std::string> policy;    // e.g. {"--policy", "strict"}; empty: sbx's default
};

AttackOutcome run_attack(const Attack& attack, Fixture& fixture, const RunnerOptions& options);

}  // namespace sbx::selftest
