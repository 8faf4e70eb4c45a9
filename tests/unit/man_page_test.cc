// man/sbx.1 must document every flag `--help` lists (the page is kept in step with the code).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "cli/exec_options.h"

namespace sbx {
namespace {

std::string read_man_page() {
  std::ifstream in(std::string(SBX_SOURCE_DIR) + "/man/sbx.1");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// In roff source a long option "--foo-bar" is written "\-\-foo\-bar".
std::string roff(const std::string& option) {
  std::string out;
  for (char c : option) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

TEST(ManPageTest, DocumentsEveryExecFlag) {
  const std::string page = read_man_page();
  ASSERT_FALSE(page.empty()) << "man/sbx.1 not found under " << SBX_SOURCE_DIR;
  const std::string help = cli::exec_help();
  const std::regex long_flag(R"((--[a-z][a-z-]*))");
  int flags = 0;
  for (auto it = std::sregex_iterator(help.begin(), help.end(), long_flag); it != std::sregex_iterator(); ++it) {
    const std::string flag = (*it)[1];
    ++flags;
    EXPECT_NE(page.find(roff(flag)), std::string::npos) << flag << " is in sbx exec --help but not in man/sbx.1";
  }
  EXPECT_GT(flags, 20);
}

}  // namespace
}  // namespace sbx
