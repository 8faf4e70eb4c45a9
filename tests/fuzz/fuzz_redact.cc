// Secret redaction, checked against a naive reference that follows redact.h's contract
// directly: every form of every secret derived here independently (hex, base64 at each
// alignment by encoding the whole padded value, percent-encodings), every occurrence found by
// brute force, then left to right: at each byte, of the occurrences covering it the one that
// reaches furthest (then the one that starts first) becomes its name's marker. The streaming
// redactor must give exactly the same bytes and counts for any secrets, any stream and any
// chunking, never hold back more than the longest pattern, and refuse exactly the secret sets
// whose markers would print a secret.
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

namespace {

using sbx::redact::Secret;

[[noreturn]] void fail(const char* what, const std::string& expected, const std::string& actual) {
  std::fprintf(stderr, "%s\n--- reference:\n%s\n--- redactor:\n%s\n", what, expected.c_str(), actual.c_str());
  std::abort();
}

std::string hex(std::string_view v, bool upper) {
  static constexpr char kDigits[] = "0123456789abcdef0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    out += kDigits[(upper ? 16 : 0) + (c >> 4)];
    out += kDigits[(upper ? 16 : 0) + (c & 15)];
  }
  return out;
}

// The base64 characters of (alignment filler bytes + value) whose six bits all lie in value.
std::string base64_inside(std::string_view v, int alignment, bool url_safe) {
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  alphabet += url_safe ? "-_" : "+/";
  const std::string padded = std::string(static_cast<size_t>(alignment), '\0') + std::string(v) + std::string(2, '\0');
  auto bit = [&](size_t i) { return (static_cast<unsigned char>(padded[i / 8]) >> (7 - i % 8)) & 1; };
  std::string out;
  const size_t first = 8 * static_cast<size_t>(alignment), end = first + 8 * v.size();
  for (size_t k = 0; 6 * k + 6 <= end; ++k) {
    if (6 * k < first) continue;
    int sextet = 0;
    for (size_t b = 0; b < 6; ++b) sextet = sextet * 2 + bit(6 * k + b);
    out += alphabet[static_cast<size_t>(sextet)];
  }
  return out;
}

// Bytes as %XX, except alphanumerics (when kept) and the bytes in `keep`.
std::string percent(std::string_view v, bool upper, std::string_view keep, bool keep_alnum) {
  std::string out;
  for (char c : v) {
    const auto b = static_cast<unsigned char>(c);
    const bool alnum = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    if ((keep_alnum && alnum) || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%' + hex(std::string_view(&c, 1), upper);
    }
  }
  return out;
}

std::vector<std::string> forms_of(std::string_view v) {
  std::vector<std::string> forms{hex(v, false), hex(v, true)};
  for (int alignment = 0; alignment < 3; ++alignment) {
    forms.push_back(base64_inside(v, alignment, false));
    forms.push_back(base64_inside(v, alignment, true));
  }
  forms.push_back(percent(v, true, "", false));
  forms.push_back(percent(v, false, "", false));
  forms.push_back(percent(v, true, "-_.!~*'()", true));
  forms.push_back(percent(v, true, "-_.~", true));
  return forms;
}

struct Reference {
  std::vector<std::string> names;       // distinct, in the order first listed
  std::map<std::string, size_t> owner;  // pattern -> index into names (first listed wins)

  explicit Reference(const std::vector<Secret>& secrets) {
    std::vector<size_t> name_of;
    for (const auto& s : secrets) {
      const auto it = std::find(names.begin(), names.end(), s.name);
      name_of.push_back(static_cast<size_t>(it - names.begin()));
      if (it == names.end()) names.push_back(s.name);
    }
    for (size_t i = 0; i < secrets.size(); ++i) owner.emplace(secrets[i].value, name_of[i]);
    for (size_t i = 0; i < secrets.size(); ++i) {
      for (auto& form : forms_of(secrets[i].value)) {
        if (!form.empty()) owner.emplace(std::move(form), name_of[i]);
      }
    }
  }

  bool a_marker_prints_a_secret() const {
    for (const auto& name : names) {
      const std::string marker = "[REDACTED:" + name + "]";
      for (const auto& [pattern, who] : owner) {
        if (marker.find(pattern) != std::string::npos) return true;
      }
    }
    return false;
  }

  std::string redact(const std::string& in, std::vector<uint64_t>& counts) const {
    struct Occurrence {
      size_t start, end, name;
    };
    std::vector<Occurrence> found;
    for (const auto& [pattern, who] : owner) {
      for (size_t at = in.find(pattern); at != std::string::npos; at = in.find(pattern, at + 1)) {
        found.push_back({at, at + pattern.size(), who});
      }
    }
    counts.assign(names.size(), 0);
    std::string out;
    for (size_t c = 0; c < in.size();) {
      const Occurrence* best = nullptr;
      for (const auto& o : found) {
        if (o.start > c || o.end <= c) continue;
        if (!best || o.end > best->end || (o.end == best->end && o.start < best->start)) best = &o;
      }
      if (!best) {
        out += in[c++];
        continue;
      }
      out += "[REDACTED:" + names[best->name] + "]";
      ++counts[best->name];
      c = best->end;
    }
    return out;
  }
};

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
    if (!reference.a_marker_prints_a_secret()) fail("refused secrets whose markers print none", "", compiled.error().message);
    return 0;
  }
  if (reference.a_marker_prints_a_secret()) fail("accepted secrets whose marker prints one", "", "");

  // The stream: pieces of literal bytes, and whole or partial forms of the secrets.
  std::vector<std::vector<std::string>> forms;
  for (const auto& s : secrets) {
    forms.push_back(forms_of(s.value));
    forms.back().push_back(s.value);
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

  std::vector<uint64_t> counts;
  const std::string expected = reference.redact(stream, counts);
  if (actual != expected) fail("the redactor and the reference differ", expected, actual);
  if (counts != redactor.counts()) fail("the redaction counts differ", expected, actual);
  return 0;
}
