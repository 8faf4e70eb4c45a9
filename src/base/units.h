// Parsing of human units: sizes ("64m", "1.5G", "4096") and durations ("10", "1.5s", "2m", "1h").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx {

// Binary multiples, case-insensitive suffixes k, m, g, t with an optional "b"/"ib" ("64M", "2GiB").
// A bare number is bytes.
Result<uint64_t> parse_size(std::string_view text);

// Like timeout(1): a bare number is seconds; suffixes ms, s, m, h, d; fractions allowed.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

// The shortest exact spelling parse_size reads back to `bytes`: "64m", "1536k", "1000".
std::string format_size(uint64_t bytes);

// The shortest exact spelling parse_duration reads back to `duration`: "5s", "2m", "250ms",
// "0.000001s".
std::string format_duration(std::chrono::nanoseconds duration);

// Strict decimal parse of a whole number (no sign, no spaces, no trailing junk).
Result<uint64_t> parse_uint(std::string_view text);

}  // namespace sbx
