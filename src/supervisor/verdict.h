// The one machine-readable account of a run: what ran, how it ended, what it used, what it
// printed (or how much), what was redacted, and which security layers were really in force.
// Schema version 1; field names are stable (documented in man/sbx.1, VERDICT section).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "supervisor/output_stream.h"

namespace sbx::supervisor {

inline constexpr int kVerdictVersion = 1;

enum class RunStatus { kExited, kSignaled, kTimeout, kOom, kOutputLimit, kSetupError };
const char* run_status_name(RunStatus status);

struct Verdict {
  std::string id;  // random, for correlating logs
  std::vector<std::string> argv;  // redacted
  // Which policy governed the run: its name and the sha256 of its canonical form
  // (`sbx policy show NAME [FLAGS] --json` prints exactly the hashed text).
  std::string policy_name;
  std::string policy_sha256;
  RunStatus status = RunStatus::kExited;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out = false;
  bool oom_killed = false;
  double duration_ms = 0;
  double cpu_user_ms = 0;
  double cpu_system_ms = 0;
  std::optional<uint64_t> peak_memory_bytes;
  std::optional<uint64_t> pids_peak;  // from the run cgroup, when there was one
  std::optional<StreamReport> stdout_report;  // absent when the program wrote to a terminal directly
  std::optional<StreamReport> stderr_report;
  std::map<std::string, uint64_t> redactions;  // secret name -> count, never values
  nlohmann::ordered_json layers = nlohmann::ordered_json::object();
  std::optional<std::string> error_stage;
  std::optional<std::string> error_message;
};

nlohmann::ordered_json verdict_json(const Verdict& v);

// 16 random hex digits.
std::string new_run_id();

// {"text": ...} when the bytes are valid UTF-8, else {"base64": ...}: lossless either way.
nlohmann::ordered_json encode_output(const std::string& bytes);

}  // namespace sbx::supervisor
