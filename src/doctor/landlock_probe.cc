// Landlock: which ABI the kernel speaks and what sbx can restrict with it. The probe and the
// per-ABI tables live in landlock/abi; this file only words them for the doctor.
#include <algorithm>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "doctor/probes.h"
#include "landlock/abi.h"
#include "landlock/syscalls.h"

namespace sbx::doctor {
namespace {

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string strip_prefix(std::string text, std::string_view prefix) {
  if (text.compare(0, prefix.size(), prefix) == 0) text.erase(0, prefix.size());
  return text;
}

std::string strip_suffix(std::string text, std::string_view suffix) {
  if (text.size() >= suffix.size() &&
      text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
    text.resize(text.size() - suffix.size());
  }
  return text;
}

std::string describe_abi(int abi) {
  using namespace sbx::landlock;
  const int used = std::min(abi, kMaxKnownAbi);
  const uint64_t fs = handled_fs(used);
  const std::vector<std::string> later_fs = fs_right_names(fs & ~handled_fs(1));

  std::string out = "ABI " + std::to_string(abi) + ": filesystem (" +
                    std::to_string(fs_right_names(fs).size()) + " rights";
  if (!later_fs.empty()) out += ", including " + join(later_fs, ", ");
  out += ")";
  const uint64_t net = handled_net(used);
  out += net != 0 ? ", TCP " + join(net_right_names(net), "/")
                  : ", no TCP rules (ABI 4, Linux 6.7)";
  const uint64_t scopes = supported_scopes(used);
  out += scopes != 0 ? ", scopes " + join(scope_names(scopes), "/")
                     : ", no signal/abstract-unix scoping (ABI 6, Linux 6.12)";
  if (abi > kMaxKnownAbi) out += "; sbx uses the rights of ABI " + std::to_string(kMaxKnownAbi);
  return out;
}

}  // namespace

Check evaluate_landlock(long ret, int err) {
  Check c{"landlock", "Landlock", Level::kOk, "", ""};
  auto abi = landlock::interpret_abi_probe(ret, err);
  if (abi.has_value()) {
    c.detail = describe_abi(*abi);
    return c;
  }
  // sbx exec defaults to --landlock required, so without Landlock it refuses to run.
  c.level = Level::kMissing;
  c.detail = strip_suffix(abi.error().message, std::string("; ") + landlock::kEnableHint);
  c.fix = strip_prefix(landlock::kEnableHint, "to enable it, ") +
          " (or accept the weaker sandbox: sbx exec --landlock best-effort)";
  return c;
}

Check probe_landlock() {
  const long ret = landlock::create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return evaluate_landlock(ret, ret < 0 ? errno : 0);
}

}  // namespace sbx::doctor
