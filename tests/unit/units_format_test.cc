// Sizes and durations sbx prints (policy show) must read back to exactly the same value.
#include <gtest/gtest.h>

#include <random>

#include "base/units.h"

using namespace std::chrono_literals;

namespace sbx {
namespace {

TEST(FormatSize, ShortestExactUnit) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(1024), "1k");
  EXPECT_EQ(format_size(1536 * 1024), "1536k");
  EXPECT_EQ(format_size(64ull << 20), "64m");
  EXPECT_EQ(format_size(3ull << 30), "3g");
  EXPECT_EQ(format_size(2ull << 40), "2t");
}

TEST(FormatDuration, ShortestExactUnit) {
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_EQ(format_duration(5s), "5s");
  EXPECT_EQ(format_duration(120s), "2m");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(7200s), "2h");
  EXPECT_EQ(format_duration(48h), "2d");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(1ns), "0.000000001s");
  EXPECT_EQ(format_duration(std::chrono::nanoseconds(2'500'000'001)), "2.500000001s");
}

TEST(UnitsRoundTrip, ParseReadsBackWhatFormatWrites) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t bytes = rng() >> (rng() % 64);
    auto size = parse_size(format_size(bytes));
    ASSERT_TRUE(size.has_value()) << format_size(bytes);
    EXPECT_EQ(*size, bytes) << format_size(bytes);
    const auto ns = std::chrono::nanoseconds(static_cast<int64_t>((rng() >> 2) % 9'000'000'000'000'000'000ull));
    auto d = parse_duration(format_duration(ns));
    ASSERT_TRUE(d.has_value()) << format_duration(ns);
    EXPECT_EQ(*d, ns) << format_duration(ns);
  }
}

TEST(UnitsRoundTrip, DecimalFractionsAreExact) {
  EXPECT_EQ(*parse_duration("0.001s"), 1ms);
  EXPECT_EQ(*parse_duration("3ms"), 3ms);
  EXPECT_EQ(*parse_duration("0.1"), 100ms);
  EXPECT_EQ(*parse_duration("2.500000001s"), std::chrono::nanoseconds(2'500'000'001));
  EXPECT_EQ(*parse_size("0.5k"), 512u);
  EXPECT_EQ(*parse_size("18446744073709551614"), 18446744073709551614ull);
  EXPECT_FALSE(parse_size("18446744073709551616").has_value());
  EXPECT_FALSE(parse_duration("300000d").has_value());
}

}  // namespace
}  // namespace sbx
