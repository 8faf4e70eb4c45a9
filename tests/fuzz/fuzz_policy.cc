// Policy files: any bytes as a policy document. The loader must answer with a policy or an
// error, never crash; and a policy it accepts must survive being written back out
// (policy_to_yaml) and read again unchanged, since `sbx policy show` output is meant to be
// loadable.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/load.h"
#include "policy/serialize.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "%s\n--- first:\n%s\n--- second:\n%s\n", what, a.c_str(), b.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sbx::policy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // `extends` reaches the finder and fails there: fuzzing never reads policy files from disk.
  const ParentFinder find = [](const std::string& name, const std::string&) -> sbx::Result<std::string> {
    return sbx::make_error("no parent policy \"" + name + "\" while fuzzing");
  };
  auto loaded = load_policy_text(text, "fuzz.yaml", find);
  if (!loaded) {
    // Messages may quote the document (control characters included): sbx prints them through
    // one_line(), so only an empty one is wrong here.
    if (loaded.error().message.empty()) fail("an error without a message", std::string(text), "");
    return 0;
  }
  const std::string yaml = policy_to_yaml(loaded->policy);
  auto again = load_policy_text(yaml, "fuzz.yaml");
  if (!again) fail("policy_to_yaml wrote a policy the loader refuses", yaml, again.error().message);
  const std::string before = canonical_policy_json(loaded->policy);
  const std::string after = canonical_policy_json(again->policy);
  if (before != after) fail("a policy changed on its way through policy_to_yaml", before, after);
  return 0;
}
