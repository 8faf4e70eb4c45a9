// `sbx exec` flags: the input split at NUL bytes into arguments, applied to the default policy
// as `sbx policy show default FLAGS` does. Nothing may crash or throw; every error has a message;
// and a policy the flags produce must survive policy_to_yaml and loading again unchanged.
// The unit parsers the flags use get each argument too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/units.h"
#include "base/utf8.h"
#include "cli/exec_options.h"
#include "policy/defaults.h"
#include "policy/load.h"
#include "policy/serialize.h"

namespace {

constexpr size_t kMaxArgs = 32;

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "%s\n--- first:\n%s\n--- second:\n%s\n", what, a.c_str(), b.c_str());
  std::abort();
}

std::vector<std::string> split_args(std::string_view input) {
  std::vector<std::string> args;
  size_t start = 0;
  while (start <= input.size() && args.size() < kMaxArgs) {
    const size_t nul = std::min(input.find('\0', start), input.size());
    args.emplace_back(input.substr(start, nul - start));
    start = nul + 1;
  }
  return args;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto args = split_args(std::string_view(reinterpret_cast<const char*>(data), size));
  for (const auto& arg : args) {
    // format_size and format_duration promise spellings that read back exactly.
    if (auto bytes = sbx::parse_size(arg)) {
      auto back = sbx::parse_size(sbx::format_size(*bytes));
      if (!back || *back != *bytes) fail("format_size does not read back", arg, sbx::format_size(*bytes));
    }
    if (auto d = sbx::parse_duration(arg)) {
      auto back = sbx::parse_duration(sbx::format_duration(*d));
      if (!back || *back != *d) fail("format_duration does not read back", arg, sbx::format_duration(*d));
    }
    (void)sbx::parse_uint(arg);
  }
  sbx::cli::CallerContext caller;
  // Relative paths lead nowhere, and the caller's environment is a fixed one.
  caller.cwd = "/nonexistent/sbx-fuzz";
  caller.getenv = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOME") return "/nonexistent/sbx-fuzz-home";
    if (name == "PATH") return "/usr/bin:/bin";
    if (name == "TOKEN") return "fuzz-secret-value";
    return std::nullopt;
  };
  auto policy = sbx::cli::apply_exec_flags(sbx::policy::default_policy(), args, caller);
  if (!policy) {
    // Messages quote the arguments as given; sbx prints them through one_line().
    if (policy.error().message.empty()) fail("an error without a message", "", "");
    return 0;
  }
  // A value that is not UTF-8 (`-e A=$'\xff'`) is passed to the program as given, but policy
  // text cannot hold it: policy_to_yaml and the policy hash write U+FFFD instead, on purpose
  // (policy/serialize.cc). Such policies are not expected to read back the same.
  for (const auto& arg : args) {
    if (!sbx::is_valid_utf8(arg)) return 0;
  }
  const std::string yaml = sbx::policy::policy_to_yaml(*policy);
  auto again = sbx::policy::load_policy_text(yaml, "fuzz.yaml");
  if (!again) fail("flags made a policy whose YAML the loader refuses", yaml, again.error().message);
  const std::string before = sbx::policy::canonical_policy_json(*policy);
  const std::string after = sbx::policy::canonical_policy_json(again->policy);
  if (before != after) fail("a policy from flags changed on its way through policy_to_yaml", before, after);
  return 0;
}
