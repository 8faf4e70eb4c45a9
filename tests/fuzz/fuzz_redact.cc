// Secret redaction, checked against the naive reference the unit tests use
// (tests/unit/redact_reference.h: every form of every secret derived independently, every
// occurrence found by brute force, then left to right the occurrence reaching furthest becomes
// its name's marker). The streaming redactor must give exactly the same bytes and counts for any
// secrets, any stream and any chunking, never hold back a whole pattern's length, and refuse
// exactly the secret sets whose markers would print a secret.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "redact/redact.h"
#include "redact_reference.h"

namespace {

using sbx::redact::Secret;
using sbx::redact::testing::Reference;

[[noreturn]] void fail(const char* what, const std::string& expected, const std::string& actual) {
  std::fprintf(stderr, "%s\n--- reference:\n%s\n--- redactor:\n%s\n", what, expected.c_str(), actual.c_str());
  std::abort();
}

bool a_marker_prints_a_secret(const Reference& reference) {
  for (const auto& [unused, name] : reference.patterns()) {
    const std::string marker = sbx::redact::testing::marker(name);
    for (const auto& [pattern, owner] : reference.patterns()) {
      if (!pattern.empty() && marker.find(pattern) != std::string::npos) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  static const std::array<const char*, 3> kNames{"A", "B", "TOKEN"};
  std::vector<Secret> secrets(fdp.ConsumeIntegralInRange<size_t>(1, 3));
  for (auto& s : secrets) {
    s.name = kNames[fdp.ConsumeIntegralInRange<size_t>(0, kNames.size() - 1)];
    s.value = fdp.ConsumeRandomLengthString(40);
    if (s.value.size() < sbx::redact::kMinSecretBytes) s.value.resize(sbx::redact::kMinSecretBytes, 'v');
  }
  const Reference reference(secrets);
  auto compiled = sbx::redact::SecretSet::compile(secrets);
  if (!compiled) {
    if (!a_marker_prints_a_secret(reference)) fail("refused secrets whose markers print none", "", compiled.error().message);
    return 0;
  }
  if (a_marker_prints_a_secret(reference)) fail("accepted secrets whose marker prints one", "", "");

  // The stream: pieces of literal bytes, and whole or partial forms of the secrets.
  std::vector<std::vector<std::string>> forms;
  for (const auto& s : secrets) {
    forms.push_back(sbx::redact::testing::all_forms(s.value));  // the raw value first
  }
  std::string stream;
  for (int piece = 0; piece < 32 && fdp.remaining_bytes() > 0; ++piece) {
    const auto kind = fdp.ConsumeIntegralInRange<int>(0, 7);
    if (kind < 4) {
      stream += fdp.ConsumeRandomLengthString(24);
      continue;
    }
    const auto& of = forms[fdp.ConsumeIntegralInRange<size_t>(0, forms.size() - 1)];
    const std::string& form = of[fdp.ConsumeIntegralInRange<size_t>(0, of.size() - 1)];
    const size_t cut = fdp.ConsumeIntegralInRange<size_t>(0, form.size());
    stream += kind < 6 ? form : kind == 6 ? form.substr(0, cut) : form.substr(cut);
  }

  sbx::redact::Redactor redactor(*compiled);
  std::string actual;
  auto take = [&actual](std::span<const std::byte> out) {
    actual.append(reinterpret_cast<const char*>(out.data()), out.size());
  };
  for (size_t at = 0; at < stream.size();) {
    const size_t chunk = std::min(stream.size() - at, fdp.ConsumeIntegralInRange<size_t>(1, 64));
    take(redactor.feed(std::string_view(stream).substr(at, chunk)));
    at += chunk;
    if (redactor.held_back() >= (*compiled)->longest_pattern()) fail("held back a whole pattern's length", "", "");
  }
  take(redactor.finish());

  std::map<std::string, uint64_t> counts;
  const std::string expected = reference.redact(stream, &counts);
  if (actual != expected) fail("the redactor and the reference differ", expected, actual);
  const auto& names = (*compiled)->names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (redactor.counts()[i] != counts[names[i]]) fail("the redaction counts differ", expected, actual);
  }
  return 0;
}
