#include "base/utf8.h"

namespace sbx {
namespace {

// Length of the sequence a lead byte starts, 0 for bytes that cannot start one.
size_t sequence_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 0;
}

}  // namespace

size_t valid_utf8_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = sequence_length(c);
    if (len == 0 || i + len > s.size()) return i;
    if (len == 1) {
      ++i;
      continue;
    }
    uint32_t cp = c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return i;
    }
    i += len;
  }
  return i;
}

bool is_valid_utf8(std::string_view s) { return valid_utf8_prefix(s) == s.size(); }

size_t incomplete_utf8_tail(std::string_view s) {
  // Walk back over at most three continuation bytes to the lead byte.
  const size_t n = s.size();
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xc0) == 0x80) continue;
    const size_t len = sequence_length(c);
    return len > back ? back : 0;
  }
  return 0;
}

}  // namespace sbx
