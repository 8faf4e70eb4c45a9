#include "cli/option_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sbx::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// A small option table that records what the parser handed to each option.
class Parser : public ::testing::Test {
 protected:
  Parser()
      : specs_{
            {"volume", 'v', true, "HOST:GUEST", "bind a path", record("volume")},
            {"env", 'e', true, "NAME[=VALUE]", "set a variable", record("env")},
            {"quiet", 'q', false, "", "say less", record("quiet")},
            {"rw", 0, false, "", "writable", record("rw")},
            {"tmpfs", 0, true, "PATH", "a tmpfs", record("tmpfs")},
            {"fail", 'f', true, "X", "always refuses",
             [](std::string_view v) -> Status { return make_error("refused \"" + std::string(v) + "\""); }},
        } {}

  Result<size_t> parse(std::vector<std::string> args) {
    args_ = std::move(args);
    return parse_options(args_, specs_);
  }

  std::function<Status(std::string_view)> record(std::string name) {
    return [this, name](std::string_view v) -> Status {
      seen_.push_back(name + "=" + std::string(v));
      return {};
    };
  }

  std::vector<std::string> args_;
  std::vector<std::string> seen_;
  std::vector<OptionSpec> specs_;
};

TEST_F(Parser, EmptyArgsHaveNoOperand) {
  auto r = parse({});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 0u);
  EXPECT_THAT(seen_, IsEmpty());
}

TEST_F(Parser, StopsAtTheFirstOperandAndLeavesLaterFlagsAlone) {
  auto r = parse({"-q", "ls", "-v", "--quiet", "--bogus"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1u);
  EXPECT_THAT(seen_, ElementsAre("quiet="));
}

TEST_F(Parser, ReturnsArgsSizeWhenThereIsNoOperand) {
  auto r = parse({"-q", "--rw"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 2u);
  EXPECT_THAT(seen_, ElementsAre("quiet=", "rw="));
}

TEST_F(Parser, DoubleDashIsConsumedAndEndsOptions) {
  auto r = parse({"--rw", "--", "--quiet", "cmd"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 2u);  // "--quiet" is the command
  EXPECT_THAT(seen_, ElementsAre("rw="));

  auto only = parse({"--"});
  ASSERT_TRUE(only.has_value());
  EXPECT_EQ(*only, 1u);
}

TEST_F(Parser, LoneDashIsAnOperand) {
  auto r = parse({"-q", "-", "-q"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1u);
}

TEST_F(Parser, LongWithEqualsAndWithSeparateValue) {
  auto r = parse({"--volume=/a:/b", "--volume", "/c:/d", "--env=X=1=2", "cmd"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 4u);
  // Only the first '=' separates the name; the value keeps the rest.
  EXPECT_THAT(seen_, ElementsAre("volume=/a:/b", "volume=/c:/d", "env=X=1=2"));
}

TEST_F(Parser, EmptyValueAfterEqualsIsPassedThrough) {
  auto r = parse({"--env=", "x"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_THAT(seen_, ElementsAre("env="));
}

TEST_F(Parser, SeparateValueMayLookLikeAnOption) {
  // The value slot is taken literally, as getopt does: "--env --rw" sets env to "--rw".
  auto r = parse({"--env", "--rw", "-v", "--", "cmd"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 4u);
  EXPECT_THAT(seen_, ElementsAre("env=--rw", "volume=--"));
}

TEST_F(Parser, ShortFlagsBundleAndAttachedValues) {
  auto r = parse({"-qq", "-eFOO=1", "-e", "BAR=2", "-qv/x:/y", "cmd"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 5u);
  EXPECT_THAT(seen_, ElementsAre("quiet=", "quiet=", "env=FOO=1", "env=BAR=2", "quiet=", "volume=/x:/y"));
}

TEST_F(Parser, ShortValueOptionEndsTheBundle) {
  // Everything after a value-taking short option is its value, even letters that are flags.
  auto r = parse({"-eq", "cmd"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 1u);
  EXPECT_THAT(seen_, ElementsAre("env=q"));
}

TEST_F(Parser, ShortValueTakenFromNextArgAtEndOfBundle) {
  auto r = parse({"-qe", "A=1", "cmd"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(*r, 2u);
  EXPECT_THAT(seen_, ElementsAre("quiet=", "env=A=1"));
}

TEST_F(Parser, MissingLongValueNamesTheOptionAndItsValue) {
  auto r = parse({"--volume"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "--volume needs a value: --volume HOST:GUEST");
}

TEST_F(Parser, MissingShortValueNamesTheOptionAsTyped) {
  auto r = parse({"-q", "-e"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "-e needs a value: -e NAME[=VALUE]");

  auto bundled = parse({"-qv"});
  ASSERT_FALSE(bundled.has_value());
  EXPECT_THAT(bundled.error().message, StartsWith("-v needs a value"));
}

TEST_F(Parser, UnknownLongOptionIsNamedWithoutItsValue) {
  auto r = parse({"--bogus", "cmd"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "unknown option --bogus (see --help)");

  auto with_value = parse({"--bogus=secret", "cmd"});
  ASSERT_FALSE(with_value.has_value());
  EXPECT_EQ(with_value.error().message, "unknown option --bogus (see --help)");
}

TEST_F(Parser, LongNamesMatchExactlyNotByPrefix) {
  auto r = parse({"--vol", "/a:/b", "cmd"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "unknown option --vol (did you mean --volume? see --help)");
  EXPECT_THAT(seen_, IsEmpty());
}

TEST_F(Parser, AMistypedLongNameIsMatchedOnlyInTheError) {
  for (const auto& [typed, meant] : std::vector<std::pair<std::string, std::string>>{
           {"--volumme", "--volume"}, {"--tmpsf", "--tmpfs"}, {"--qiet", "--quiet"}, {"--Volume", "--volume"}}) {
    auto r = parse({typed, "x", "cmd"});
    ASSERT_FALSE(r.has_value()) << typed;
    EXPECT_EQ(r.error().message, "unknown option " + typed + " (did you mean " + meant + "? see --help)");
  }
  EXPECT_THAT(seen_, IsEmpty());
  // Nothing near enough, or two as near: no guess.
  EXPECT_EQ(parse({"--zz", "cmd"}).error().message, "unknown option --zz (see --help)");
  EXPECT_EQ(parse({"--e", "cmd"}).error().message, "unknown option --e (see --help)");
}

TEST_F(Parser, UnknownShortOptionInsideABundle) {
  auto r = parse({"-qx", "cmd"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "unknown option -x (see --help)");
}

TEST_F(Parser, ShortOnlyLookupIgnoresOptionsWithoutAShortName) {
  // "rw" and "tmpfs" have short_name 0; no letter (and no NUL) may select them.
  auto r = parse({std::string("-\0", 2), "cmd"});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("unknown option"));
  EXPECT_THAT(seen_, IsEmpty());
}

TEST_F(Parser, FlagGivenAValueIsRefused) {
  auto r = parse({"--rw=yes", "cmd"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "--rw takes no value");
  EXPECT_THAT(seen_, IsEmpty());
}

TEST_F(Parser, ApplyErrorsArePrefixedWithTheSpellingUsed) {
  auto long_form = parse({"--fail=x", "cmd"});
  ASSERT_FALSE(long_form.has_value());
  EXPECT_EQ(long_form.error().message, "--fail: refused \"x\"");

  auto long_separate = parse({"--fail", "y", "cmd"});
  ASSERT_FALSE(long_separate.has_value());
  EXPECT_EQ(long_separate.error().message, "--fail: refused \"y\"");

  auto short_form = parse({"-fz", "cmd"});
  ASSERT_FALSE(short_form.has_value());
  EXPECT_EQ(short_form.error().message, "-f: refused \"z\"");
}

TEST_F(Parser, StopsAtTheFirstErrorWithoutApplyingLaterOptions) {
  auto r = parse({"-q", "--fail=1", "--rw", "cmd"});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(seen_, ElementsAre("quiet="));
}

TEST_F(Parser, HelpListsEveryOptionAligned) {
  const std::string help = format_option_help(specs_);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = help.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(help.substr(start, nl - start));
  }
  ASSERT_EQ(lines.size(), specs_.size());
  EXPECT_EQ(start, help.size()) << "help ends with a newline";
  EXPECT_THAT(lines[0], StartsWith("  -v, --volume HOST:GUEST  "));
  EXPECT_THAT(lines[3], StartsWith("      --rw  "));
  // Every help text starts in the same column.
  const size_t column = lines[0].find("bind a path");
  ASSERT_NE(column, std::string::npos);
  for (size_t k = 0; k < lines.size(); ++k) {
    EXPECT_EQ(lines[k].find(std::string(specs_[k].help)), column) << lines[k];
  }
  EXPECT_THAT(lines[2], MatchesRegex("  -q, --quiet +say less")) << "flags show no value name";
}

}  // namespace
}  // namespace sbx::cli
