#include "base/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace sbx {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "1.5Gib" into the number part and the suffix part; the number must be a plain
// non-negative decimal with at most one dot.
Result<std::pair<double, std::string>> split_number(std::string_view text, std::string_view what) {
  size_t i = 0;
  bool seen_digit = false;
  bool seen_dot = false;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      seen_digit = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
    ++i;
  }
  if (!seen_digit) {
    return make_error("invalid " + std::string(what) + " \"" + std::string(text) +
                      "\": expected a number with an optional unit");
  }
  const std::string number(text.substr(0, i));
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(value)) {
    return make_error("invalid " + std::string(what) + " \"" + std::string(text) + "\"");
  }
  return std::make_pair(value, lower(text.substr(i)));
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
  double multiplier = 0;
  if (suffix.empty() || suffix == "b") {
    multiplier = 1;
  } else {
    static constexpr std::string_view kUnits = "kmgt";
    const size_t pos = kUnits.find(suffix[0]);
    const std::string_view rest = std::string_view(suffix).substr(1);
    if (pos == std::string_view::npos || !(rest.empty() || rest == "b" || rest == "ib")) {
      return make_error("invalid size \"" + std::string(text) +
                        "\": unit must be one of k, m, g, t (binary multiples)");
    }
    multiplier = std::pow(1024.0, static_cast<double>(pos + 1));
  }
  const double bytes = value * multiplier;
  if (bytes >= static_cast<double>(std::numeric_limits<uint64_t>::max())) {
    return make_error("invalid size \"" + std::string(text) + "\": too large");
  }
  if (multiplier == 1 && value != std::floor(value)) {
    return make_error("invalid size \"" + std::string(text) + "\": bytes must be whole");
  }
  return static_cast<uint64_t>(bytes);
}

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  SBX_ASSIGN_OR_RETURN(auto parts, split_number(text, "duration"));
  const auto& [value, suffix] = parts;
  double seconds_per_unit = 0;
  if (suffix.empty() || suffix == "s") {
    seconds_per_unit = 1;
  } else if (suffix == "ms") {
    seconds_per_unit = 0.001;
  } else if (suffix == "m") {
    seconds_per_unit = 60;
  } else if (suffix == "h") {
    seconds_per_unit = 3600;
  } else if (suffix == "d") {
    seconds_per_unit = 86400;
  } else {
    return make_error("invalid duration \"" + std::string(text) +
                      "\": unit must be one of ms, s, m, h, d");
  }
  const double ns = value * seconds_per_unit * 1e9;
  if (ns >= 9.2e18) return make_error("invalid duration \"" + std::string(text) + "\": too long");
  return std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

}  // namespace sbx
