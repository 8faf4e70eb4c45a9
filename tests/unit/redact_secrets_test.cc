// Compiling a secret list: validation, duplicates, and error messages that never carry a value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "redact_test_support.h"

namespace sbx::redact {
namespace {

using testing::compile_or_die;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::redact_whole;

TEST(RedactSecrets, RejectsShortValuesNamingTheSecretNotTheValue) {
  for (const std::string& value :
       std::vector<std::string>{"", "zQ", "12345", std::string("\0\0\0\0\0", 5)}) {
    const std::vector<Secret> secrets = {{"OK", "long-enough"}, {"PIN", value}};
    auto set = SecretSet::compile(secrets);
    ASSERT_FALSE(set.has_value()) << value.size();
    EXPECT_THAT(set.error().message, HasSubstr("secrets[1] (PIN)"));
    EXPECT_THAT(set.error().message, HasSubstr("shorter than 6 bytes"));
    if (!value.empty()) {
      EXPECT_THAT(set.error().message, Not(HasSubstr(value)));
    }
  }
  EXPECT_TRUE(SecretSet::compile(std::vector<Secret>{{"PIN", "123456"}}).has_value());
}

TEST(RedactSecrets, RejectsOversizedValues) {
  auto set =
      SecretSet::compile(std::vector<Secret>{{"BIG", std::string(kMaxSecretBytes + 1, 'x')}});
  ASSERT_FALSE(set.has_value());
  EXPECT_THAT(set.error().message, HasSubstr("(BIG): value is longer than"));
}

TEST(RedactSecrets, RejectsBadNamesWithoutEchoingThem) {
  for (const std::string& name : std::vector<std::string>{
           "", "has space", "br[ack]et", std::string(65, 'N'), "tab\there", "caf\xc3\xa9"}) {
    auto set = SecretSet::compile(std::vector<Secret>{{name, "some-secret-value"}});
    ASSERT_FALSE(set.has_value()) << name;
    EXPECT_THAT(set.error().message, HasSubstr("secrets[0]: name must be"));
    if (!name.empty()) {
      EXPECT_THAT(set.error().message, Not(HasSubstr(name)));
    }
  }
}

TEST(RedactSecrets, RejectsANameThatWouldPrintASecret) {
  // The value pasted as the name too: "[REDACTED:hunter2hunter2]" would print it.
  auto set = SecretSet::compile(std::vector<Secret>{{"hunter2hunter2", "hunter2hunter2"}});
  ASSERT_FALSE(set.has_value());
  EXPECT_THAT(set.error().message,
              HasSubstr("secrets[0]: the name contains the value of secrets[0] or an encoding"));
  EXPECT_THAT(set.error().message, Not(HasSubstr("hunter2")));
  // Another secret's hex form inside a name.
  auto other =
      SecretSet::compile(std::vector<Secret>{{"KEY_616263646566", "zzzzzzzz"}, {"ABC", "abcdef"}});
  ASSERT_FALSE(other.has_value());
  EXPECT_THAT(other.error().message,
              HasSubstr("secrets[0]: the name contains the value of secrets[1]"));
  EXPECT_THAT(other.error().message, Not(HasSubstr("616263646566")));
  EXPECT_THAT(other.error().message, Not(HasSubstr("abcdef")));
}

TEST(RedactSecrets, SameValueUnderTwoNamesIsReportedUnderTheFirst) {
  auto set = compile_or_die({{"GITHUB_TOKEN", "ghp_same_value"}, {"GH_TOKEN", "ghp_same_value"}});
  EXPECT_EQ(set->names(), (std::vector<std::string>{"GITHUB_TOKEN", "GH_TOKEN"}));
  Redactor r(set);
  EXPECT_EQ(testing::redact_chunked(r, "ghp_same_value", {3}), "[REDACTED:GITHUB_TOKEN]");
  EXPECT_EQ(r.counts(), (std::vector<uint64_t>{1, 0}));
}

TEST(RedactSecrets, ExactDuplicatesCollapse) {
  auto once = compile_or_die({{"K", "duplicate-me"}});
  auto twice = compile_or_die({{"K", "duplicate-me"}, {"K", "duplicate-me"}});
  EXPECT_EQ(once->pattern_count(), twice->pattern_count());
  EXPECT_EQ(twice->names().size(), 1u);
  EXPECT_EQ(redact_whole(twice, "duplicate-me"), "[REDACTED:K]");
}

TEST(RedactSecrets, RawValueWinsOverAnotherSecretsEncodedForm) {
  // B's value is A's lowercase hex form: it is reported as B, A's other forms as A.
  auto set = compile_or_die({{"A", "abcdef"}, {"B", "616263646566"}});
  EXPECT_EQ(redact_whole(set, "616263646566"), "[REDACTED:B]");
  EXPECT_EQ(redact_whole(set,
                         "616263646566"
                         "0"),
            "[REDACTED:B]0");
  EXPECT_EQ(redact_whole(set,
                         "616263646566"
                         "ABCDEF"),
            "[REDACTED:B]ABCDEF");
  EXPECT_EQ(redact_whole(set, "YWJjZGVm"), "[REDACTED:A]");  // base64("abcdef")
}

TEST(RedactSecrets, PatternCountPerSecret) {
  // Raw, 2 hex, 3 base64 fragments (the url-safe ones equal them without '+' or '/'), 2 all-escaped
  // percent forms; the other percent forms equal the raw value of an alphanumeric secret.
  EXPECT_EQ(compile_or_die({{"K", "ABCDEFGHIJKL"}})->pattern_count(), 1u + 2 + 3 + 2);
  // Hex and %XX of bytes 0x31-0x39 and 0x61-0x66 have no letters: one case each.
  EXPECT_EQ(compile_or_die({{"K", "abcdef123456"}})->pattern_count(), 1u + 1 + 3 + 1);
  // Everything differs, but both partial percent forms escape the same bytes.
  auto special = compile_or_die({{"K", "\xfb\xff\xfe?/+ a@b"}});
  EXPECT_EQ(special->pattern_count(), 1u + 2 + 6 + 2 + 1);
  EXPECT_EQ(special->longest_pattern(), 3u * 10);
}

}  // namespace
}  // namespace sbx::redact
