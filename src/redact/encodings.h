// The byte strings under which a secret value commonly shows up in program output besides its
// raw bytes: hex, base64 (standard and url-safe, every alignment) and percent-encoding.
// Pure functions; src/redact/redact.h documents what these forms do and do not catch.
#pragma once

#include <string>
#include <string_view>

#include "redact/wipe.h"

namespace sbx::redact {

// Which encoded forms to derive in addition to the raw value.
struct Encodings {
  bool hex = true;
  bool base64 = true;
  bool percent = true;
};

// Every byte as two hex digits.
std::string hex_form(std::string_view value, bool upper);

// The part of base64(prefix + value + suffix) that depends on `value` alone, where `prefix` is
// `alignment` (0, 1 or 2) bytes of anything and `suffix` anything: the characters whose six bits
// all come from `value`. Characters that mix in a neighbour's bits, and '=' padding, are left out.
std::string base64_fragment(std::string_view value, int alignment, bool url_safe);

// Every byte as %XX.
std::string percent_all(std::string_view value, bool upper);

// Bytes outside [A-Za-z0-9] and `keep` as %XX (uppercase), the rest as they are:
// keep = "-_.!~*'()" is JavaScript's encodeURIComponent, "-_.~" RFC 3986 (Python's quote(s, "")).
std::string percent_except(std::string_view value, std::string_view keep);

// Appends the encoded forms of `value` selected by `which` to `out`, leaving out forms equal
// to the raw value; the same form may be appended twice (the automaton drops duplicates).
void append_encoded_forms(std::string_view value, const Encodings& which, WipedStrings& out);

}  // namespace sbx::redact
