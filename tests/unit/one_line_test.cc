// Messages quoting outside text stay one line and cannot drive a terminal.
#include <gtest/gtest.h>

#include "base/one_line.h"

namespace sbx {
namespace {

TEST(OneLineTest, ControlCharactersBecomeEscapes) {
  EXPECT_EQ(one_line("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(one_line(std::string("\x1b[31mred\x7f\0", 10)), "\\x1b[31mred\\x7f\\x00");
  // U+009B is CSI to a terminal that takes 8-bit controls.
  EXPECT_EQ(one_line("\xc2\x9b" "2J"), "\\u009b2J");
}

TEST(OneLineTest, OrdinaryTextAndOtherUtf8AreKept) {
  EXPECT_EQ(one_line("policy \"strict\": ok"), "policy \"strict\": ok");
  EXPECT_EQ(one_line("caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac"), "caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac");
  EXPECT_EQ(one_line("\xff\xc2"), "\xff\xc2");  // invalid UTF-8 is not made worse
}

}  // namespace
}  // namespace sbx
