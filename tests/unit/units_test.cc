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
