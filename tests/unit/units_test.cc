#include "base/units.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;

namespace sbx {
namespace {

TEST(ParseSize, AcceptsBinaryUnits) {
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("64k"), 64u * 1024);
  EXPECT_EQ(*parse_size("64M"), 64u << 20);
  EXPECT_EQ(*parse_size("2GiB"), 2ull << 30);
  EXPECT_EQ(*parse_size("1.5g"), 3ull << 29);
  EXPECT_EQ(*parse_size("1t"), 1ull << 40);
}

TEST(ParseSize, RejectsJunkWithAMessage) {
  for (const char* bad : {"", "m", "-1", "12x", "1.5", "1..2m", "64 m", "1e3"}) {
    auto r = parse_size(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().message.find("size"), std::string::npos) << bad;
  }
}

TEST(ParseDuration, LikeTimeout) {
  EXPECT_EQ(*parse_duration("10"), 10s);
  EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(*parse_duration("2m"), 120s);
  EXPECT_EQ(*parse_duration("1h"), 3600s);
  EXPECT_EQ(*parse_duration("250ms"), 250ms);
  EXPECT_FALSE(parse_duration("5x").has_value());
  EXPECT_FALSE(parse_duration("").has_value());
  EXPECT_FALSE(parse_duration("s").has_value());
}

TEST(ParseUint, Strict) {
  EXPECT_EQ(*parse_uint("0"), 0u);
  EXPECT_EQ(*parse_uint("65534"), 65534u);
  EXPECT_FALSE(parse_uint("").has_value());
  EXPECT_FALSE(parse_uint("-1").has_value());
  EXPECT_FALSE(parse_uint("12a").has_value());
  EXPECT_FALSE(parse_uint(" 1").has_value());
}

}  // namespace
}  // namespace sbx

namespace sbx {
namespace {

TEST(ParseSize, SuffixSpellingsAndCase) {
  EXPECT_EQ(*parse_size("0"), 0u);
  EXPECT_EQ(*parse_size("7b"), 7u);
  EXPECT_EQ(*parse_size("7B"), 7u);
  for (const char* k : {"1k", "1K", "1kb", "1KB", "1kib", "1KiB", "1KIB"}) {
    auto r = parse_size(k);
    ASSERT_TRUE(r.has_value()) << k << ": " << r.error().message;
    EXPECT_EQ(*r, 1024u) << k;
  }
  EXPECT_EQ(*parse_size("3G"), 3ull << 30);
  EXPECT_EQ(*parse_size("0.5k"), 512u);
  EXPECT_EQ(*parse_size("0.5m"), 512u * 1024);
}

TEST(ParseSize, RefusesOtherUnitsAndBadSuffixes) {
  for (const char* bad : {"1p", "1e", "1kk", "1kbb", "1ki", "1mbit", "1 k", "k1", "1.5b", "0x10",
                          "+1", "1,5k", "1k "}) {
    auto r = parse_size(bad);
    EXPECT_FALSE(r.has_value()) << bad << " parsed as " << *r;
  }
  auto unit = parse_size("12x");
  ASSERT_FALSE(unit.has_value());
  EXPECT_NE(unit.error().message.find("k, m, g, t"), std::string::npos) << "names the valid units";
  EXPECT_NE(unit.error().message.find("\"12x\""), std::string::npos) << "quotes the input";
}

TEST(ParseSize, RefusesSizesThatOverflow64Bits) {
  EXPECT_EQ(*parse_size("16777215t"), 16777215ull << 40);  // just below 2^64
  for (const char* huge : {"16777216t", "99999999999t", "18446744073709551616",
                           "100000000000000000000"}) {
    auto r = parse_size(huge);
    ASSERT_FALSE(r.has_value()) << huge << " parsed as " << *r;
    EXPECT_NE(r.error().message.find("too large"), std::string::npos) << huge;
  }
}

TEST(ParseDuration, AllUnitsAndFractions) {
  EXPECT_EQ(*parse_duration("0"), 0s);
  EXPECT_EQ(*parse_duration("1d"), 86400s);
  EXPECT_EQ(*parse_duration("0.5h"), 1800s);
  EXPECT_EQ(*parse_duration("1.5m"), 90s);
  EXPECT_EQ(*parse_duration("10ms"), 10ms);
  EXPECT_EQ(*parse_duration("2S"), 2s) << "units are case-insensitive";
  EXPECT_EQ(*parse_duration("1MS"), 1ms);
}

TEST(ParseDuration, RefusesJunkAndHugeValues) {
  for (const char* bad : {"-1", "1e3", "1 s", "1ss", "1us", "1w", ".", "1..5s", "10sec"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r.has_value()) << bad;
  }
  auto unit = parse_duration("3y");
  ASSERT_FALSE(unit.has_value());
  EXPECT_NE(unit.error().message.find("ms, s, m, h, d"), std::string::npos);
  auto huge = parse_duration("300000000000d");
  ASSERT_FALSE(huge.has_value());
  EXPECT_NE(huge.error().message.find("too long"), std::string::npos);
}

TEST(ParseUint, RangeAndSigns) {
  EXPECT_EQ(*parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(*parse_uint("007"), 7u);
  EXPECT_FALSE(parse_uint("18446744073709551616").has_value()) << "overflow is an error";
  EXPECT_FALSE(parse_uint("+1").has_value());
  EXPECT_FALSE(parse_uint("1 ").has_value());
  EXPECT_FALSE(parse_uint("1.0").has_value());
  EXPECT_FALSE(parse_uint("0x1").has_value());
  auto r = parse_uint("12a");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("\"12a\""), std::string::npos);
}

}  // namespace
}  // namespace sbx
