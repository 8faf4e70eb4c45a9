#include "base/units.h"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>
#include <string>

namespace sbx {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A non-negative decimal with at most one dot, split exactly: "1.25" is {1, 25, 100}. Parsing in
// integers (not double) keeps every value exact, so a size or duration sbx prints reads back to
// the same number.
struct Decimal {
  uint64_t whole = 0;
  uint64_t fraction = 0;       // the digits after the dot, at most 18 of them
  uint64_t fraction_scale = 1;  // 10^(number of those digits)
};

// Splits "1.5Gib" into the number and the lower-cased suffix.
Result<std::pair<Decimal, std::string>> split_number(std::string_view text, std::string_view what) {
  const auto invalid = [&](std::string_view why) {
    return make_error("invalid " + std::string(what) + " \"" + std::string(text) + "\"" + std::string(why));
  };
  Decimal d;
  size_t i = 0;
  bool seen_digit = false;
  bool seen_dot = false;
  int fraction_digits = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_dot) {
      seen_dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    seen_digit = true;
    const auto digit = static_cast<uint64_t>(c - '0');
    if (!seen_dot) {
      if (d.whole > (std::numeric_limits<uint64_t>::max() - digit) / 10) return invalid(": too large");
      d.whole = d.whole * 10 + digit;
    } else if (fraction_digits < 18) {  // further digits are below any unit sbx counts in
      d.fraction = d.fraction * 10 + digit;
      d.fraction_scale *= 10;
      ++fraction_digits;
    }
  }
  if (!seen_digit) return invalid(": expected a number with an optional unit");
  return std::make_pair(d, lower(text.substr(i)));
}

// whole * unit + fraction * unit / scale, rounded down; nullopt when it does not fit `limit`.
std::optional<uint64_t> scale(const Decimal& d, uint64_t unit, uint64_t limit) {
  __extension__ typedef unsigned __int128 u128;  // -Wpedantic: a GCC/Clang extension
  const u128 value = static_cast<u128>(d.whole) * unit + static_cast<u128>(d.fraction) * unit / d.fraction_scale;
  if (value > limit) return std::nullopt;
  return static_cast<uint64_t>(value);
}

std::string trim_fraction(uint64_t whole, uint64_t fraction_ns) {
  std::string digits = std::to_string(fraction_ns);
  digits.insert(0, 9 - digits.size(), '0');
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return std::to_string(whole) + "." + digits;
}

}  // namespace

Result<uint64_t> parse_uint(std::string_view text) {
  uint64_t value = 0;
  if (text.empty()) return make_error("expected a whole number, got an empty string");
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return make_error("expected a whole number, got \"" + std::string(text) + "\"");
  }
  return value;
}

Result<uint64_t> parse_size(std::string_view text) {
  SBX_ASSIGN_OR_RETURN(auto parts, split_number(text, "size"));
  const auto& [value, suffix] = parts;
  uint64_t multiplier = 1;
  if (!(suffix.empty() || suffix == "b")) {
    static constexpr std::string_view kUnits = "kmgt";
    const size_t pos = kUnits.find(suffix[0]);
    const std::string_view rest = std::string_view(suffix).substr(1);
    if (pos == std::string_view::npos || !(rest.empty() || rest == "b" || rest == "ib")) {
      return make_error("invalid size \"" + std::string(text) +
                        "\": unit must be one of k, m, g, t (binary multiples)");
    }
    multiplier = uint64_t{1} << (10 * (pos + 1));
  }
  if (multiplier == 1 && value.fraction != 0) {
    return make_error("invalid size \"" + std::string(text) + "\": bytes must be whole");
  }
  auto bytes = scale(value, multiplier, std::numeric_limits<uint64_t>::max() - 1);
  if (!bytes) return make_error("invalid size \"" + std::string(text) + "\": too large");
  return *bytes;
}

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  SBX_ASSIGN_OR_RETURN(auto parts, split_number(text, "duration"));
  const auto& [value, suffix] = parts;
  constexpr uint64_t kSecond = 1'000'000'000;
  uint64_t unit_ns = 0;
  if (suffix.empty() || suffix == "s") {
    unit_ns = kSecond;
  } else if (suffix == "ms") {
    unit_ns = kSecond / 1000;
  } else if (suffix == "m") {
    unit_ns = 60 * kSecond;
  } else if (suffix == "h") {
    unit_ns = 3600 * kSecond;
  } else if (suffix == "d") {
    unit_ns = 86400 * kSecond;
  } else {
    return make_error("invalid duration \"" + std::string(text) +
                      "\": unit must be one of ms, s, m, h, d");
  }
  auto ns = scale(value, unit_ns, 9'200'000'000'000'000'000ull);
  if (!ns) return make_error("invalid duration \"" + std::string(text) + "\": too long");
  return std::chrono::nanoseconds(static_cast<int64_t>(*ns));
}

std::string format_size(uint64_t bytes) {
  static constexpr std::array<std::pair<char, int>, 4> kUnits{{{'t', 40}, {'g', 30}, {'m', 20}, {'k', 10}}};
  for (const auto& [suffix, shift] : kUnits) {
    const uint64_t unit = uint64_t{1} << shift;
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + suffix;
  }
  return std::to_string(bytes);
}

std::string format_duration(std::chrono::nanoseconds duration) {
  const auto ns = static_cast<uint64_t>(duration.count() < 0 ? 0 : duration.count());
  constexpr uint64_t kSecond = 1'000'000'000;
  if (ns % kSecond == 0) {
    const uint64_t s = ns / kSecond;
    if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
    if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
    if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
    return std::to_string(s) + "s";
  }
  if (ns % (kSecond / 1000) == 0) return std::to_string(ns / (kSecond / 1000)) + "ms";
  return trim_fraction(ns / kSecond, ns % kSecond) + "s";
}

}  // namespace sbx
