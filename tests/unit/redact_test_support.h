// Shared by the redact_*_test.cc files: the reference (redact_reference.h) and helpers to drive
// a Redactor with a given chunking.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "redact/redact.h"
#include "redact_reference.h"

namespace sbx::redact::testing {

inline std::string as_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

inline std::shared_ptr<const SecretSet> compile_or_die(const std::vector<Secret>& secrets,
                                                       const Encodings& forms = {}) {
  auto set = SecretSet::compile(secrets, forms);
  if (!set) {
    ADD_FAILURE() << set.error().message;
    std::abort();
  }
  return *set;
}

// Feeds `text` in chunks of the given sizes (the last one repeated), then finishes.
inline std::string redact_chunked(Redactor& r, std::string_view text,
                                  const std::vector<size_t>& sizes) {
  std::string out;
  size_t i = 0, k = 0;
  while (i < text.size()) {
    const size_t n = std::min(sizes[std::min(k++, sizes.size() - 1)], text.size() - i);
    out += as_string(r.feed(text.substr(i, n)));
    i += n;
  }
  out += as_string(r.finish());
  return out;
}

inline std::string redact_whole(const std::shared_ptr<const SecretSet>& set,
                                std::string_view text) {
  Redactor r(set);
  return redact_chunked(r, text, {text.size() + 1});
}

inline std::string random_bytes(std::mt19937_64& rng, size_t n, std::string_view alphabet = {}) {
  std::string s(n, '\0');
  for (char& c : s) {
    c = alphabet.empty() ? char(rng() & 0xff) : alphabet[rng() % alphabet.size()];
  }
  return s;
}

}  // namespace sbx::redact::testing
