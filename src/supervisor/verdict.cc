#include "supervisor/verdict.h"

#include <sys/random.h>

#include <array>
#include <cstdio>

#include "base/utf8.h"

namespace sbx::supervisor {
namespace {

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

nlohmann::ordered_json stream_json(const std::optional<StreamReport>& r) {
  if (!r) return nullptr;
  nlohmann::ordered_json j = r->captured ? encode_output(r->text) : nlohmann::ordered_json::object();
  j["bytes"] = r->bytes;
  j["truncated"] = r->truncated;
  j["dropped_bytes"] = r->dropped_bytes;
  return j;
}

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

}  // namespace

const char* run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kExited: return "exited";
    case RunStatus::kSignaled: return "signaled";
    case RunStatus::kTimeout: return "timeout";
    case RunStatus::kOom: return "oom";
    case RunStatus::kOutputLimit: return "output_limit";
    case RunStatus::kSetupError: return "setup_error";
  }
  return "unknown";
}

nlohmann::ordered_json encode_output(const std::string& bytes) {
  if (is_valid_utf8(bytes)) return {{"text", bytes}};
  return {{"base64", base64(bytes)}};
}

nlohmann::ordered_json verdict_json(const Verdict& v) {
  nlohmann::ordered_json j;
  j["version"] = kVerdictVersion;
  j["id"] = v.id;
  j["argv"] = v.argv;
  j["policy"] = {{"name", v.policy_name}, {"sha256", v.policy_sha256}};
  j["status"] = run_status_name(v.status);
  j["exit_code"] = optional_json(v.exit_code);
  j["signal"] = optional_json(v.signal);
  j["timed_out"] = v.timed_out;
  j["oom_killed"] = v.oom_killed;
  j["duration_ms"] = v.duration_ms;
  j["cpu_user_ms"] = v.cpu_user_ms;
  j["cpu_system_ms"] = v.cpu_system_ms;
  j["peak_memory_bytes"] = optional_json(v.peak_memory_bytes);
  j["pids_peak"] = optional_json(v.pids_peak);
  j["stdout"] = stream_json(v.stdout_report);
  j["stderr"] = stream_json(v.stderr_report);
  j["redactions"] = v.redactions;
  j["layers"] = v.layers;
  if (v.error_stage) {
    j["error"] = {{"stage", *v.error_stage}, {"message", v.error_message.value_or("")}};
  } else {
    j["error"] = nullptr;
  }
  return j;
}

std::string new_run_id() {
  std::array<unsigned char, 8> bytes{};
  if (::getrandom(bytes.data(), bytes.size(), GRND_NONBLOCK) != static_cast<ssize_t>(bytes.size())) {
    // Only an id for correlation, not a secret: the clock is good enough then.
    const auto now = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(now >> (8 * i));
  }
  std::string id;
  char hex[3];
  for (unsigned char b : bytes) {
    std::snprintf(hex, sizeof(hex), "%02x", b);
    id += hex;
  }
  return id;
}

}  // namespace sbx::supervisor
