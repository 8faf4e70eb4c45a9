// Secret redaction the slow, obvious way, written independently of src/redact: encoders for
// every documented form of a secret and a reference redactor. No test framework, so the
// redaction fuzzer (tests/fuzz/fuzz_redact.cc) checks against the same reference as the unit tests.
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "redact/redact.h"

namespace sbx::redact::testing {

inline std::string marker(std::string_view name) { return "[REDACTED:" + std::string(name) + "]"; }

// Plain RFC 4648 base64 with '=' padding.
inline std::string base64(std::string_view in, bool url_safe = false) {
  const char* alphabet = url_safe
                             ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v =
        uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += alphabet[(v >> (6 * k)) & 63];
  }
  if (in.size() - i == 1) {
    const uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    const uint32_t v = uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// The characters of base64(any `alignment` bytes + secret + anything) that the secret alone
// fixes: encode it between all-zero and between all-one neighbours and keep what agrees.
inline std::string base64_stable_middle(std::string_view secret, int alignment, bool url_safe) {
  const std::string zeros = base64(
      std::string(size_t(alignment), '\0') + std::string(secret) + std::string(2, '\0'), url_safe);
  const std::string ones =
      base64(std::string(size_t(alignment), '\xff') + std::string(secret) + std::string(2, '\xff'),
             url_safe);
  std::string middle;
  for (size_t i = 0; i < zeros.size(); ++i) {
    if (zeros[i] == ones[i] && zeros[i] != '=') middle += zeros[i];
  }
  return middle;
}

inline std::string hex(std::string_view in, bool upper) {
  std::string out;
  char buf[3];
  for (char c : in) {
    std::snprintf(buf, sizeof buf, upper ? "%02X" : "%02x", unsigned(uint8_t(c)));
    out += buf;
  }
  return out;
}

// `keep` lists the punctuation left as is besides letters and digits; nullptr keeps nothing.
inline std::string percent(std::string_view in, const char* keep, bool upper = true) {
  std::string out;
  char buf[4];
  for (char c : in) {
    const bool alnum = std::isalnum(static_cast<unsigned char>(c)) && uint8_t(c) < 0x80;
    if (keep && (alnum || (c != '\0' && std::strchr(keep, c)))) {
      out += c;
    } else {
      std::snprintf(buf, sizeof buf, upper ? "%%%02X" : "%%%02x", unsigned(uint8_t(c)));
      out += buf;
    }
  }
  return out;
}

inline constexpr const char* kUriComponentKeeps = "-_.!~*'()";
inline constexpr const char* kRfc3986Keeps = "-_.~";

// Every form the engine is documented to catch, raw value first.
inline std::vector<std::string> all_forms(std::string_view secret) {
  std::vector<std::string> forms = {std::string(secret), hex(secret, false), hex(secret, true)};
  for (int a = 0; a < 3; ++a) {
    forms.push_back(base64_stable_middle(secret, a, false));
    forms.push_back(base64_stable_middle(secret, a, true));
  }
  forms.push_back(percent(secret, nullptr, true));
  forms.push_back(percent(secret, nullptr, false));
  forms.push_back(percent(secret, kUriComponentKeeps));
  forms.push_back(percent(secret, kRfc3986Keeps));
  return forms;
}

// The documented semantics, the slow obvious way: find every occurrence of every form; walking
// left to right, at a byte covered by occurrences replace the one reaching furthest (earliest
// start on a tie) and continue after it.
class Reference {
 public:
  explicit Reference(const std::vector<Secret>& secrets, bool with_encodings = true) {
    auto add = [&](const std::string& form, const std::string& name) {
      for (const auto& p : patterns_) {
        if (p.first == form) return;
      }
      patterns_.emplace_back(form, name);
    };
    for (const Secret& s : secrets) add(s.value, s.name);
    if (!with_encodings) return;
    for (const Secret& s : secrets) {
      for (const std::string& f : all_forms(s.value)) add(f, s.name);
    }
  }

  std::string redact(std::string_view text,
                     std::map<std::string, uint64_t>* counts = nullptr) const {
    struct Occurrence {
      size_t start, end;
      const std::string* name;
    };
    std::vector<Occurrence> occurrences;
    for (size_t s = 0; s < text.size(); ++s) {
      for (const auto& [form, name] : patterns_) {
        if (text.substr(s, form.size()) == form) occurrences.push_back({s, s + form.size(), &name});
      }
    }
    std::string out;
    size_t c = 0;
    while (c < text.size()) {
      const Occurrence* best = nullptr;
      for (const Occurrence& o : occurrences) {
        if (o.start > c || o.end <= c) continue;
        if (!best || o.end > best->end || (o.end == best->end && o.start < best->start)) best = &o;
      }
      if (!best) {
        out += text[c++];
        continue;
      }
      out += marker(*best->name);
      if (counts) ++(*counts)[*best->name];
      c = best->end;
    }
    return out;
  }

  // Every pattern with its secret's name, the first listed owning a pattern two secrets share.
  const std::vector<std::pair<std::string, std::string>>& patterns() const { return patterns_; }

 private:
  std::vector<std::pair<std::string, std::string>> patterns_;
};

}  // namespace sbx::redact::testing
