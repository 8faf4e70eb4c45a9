// Encoded forms of a secret are caught, each reported under the secret's name. The encodings
// are produced here with independent encoders (tests/unit/redact_test_support.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "redact_test_support.h"

namespace sbx::redact {
namespace {

using testing::compile_or_die;
using ::testing::HasSubstr;
using testing::marker;
using ::testing::Not;
using testing::redact_chunked;
using testing::redact_whole;

// Alphanumeric, with URL-special and high bytes, and binary with NULs.
const std::vector<Secret>& sample_secrets() {
  static const std::vector<Secret> secrets = {
      {"TOKEN", "ghp_R4nd0mT0k3nValue9xYz"},
      {"PASSWORD", "p@ss w/rd+?&=%~!*()'"},
      {"UNICODE", "gr\xc3\xbc\xc3\x9f-dich-\xe2\x9c\x93"},
      {"BINARY", std::string("\x00\xff\x10\x80secret\x00\x01", 12)},
  };
  return secrets;
}

std::string replace_first(std::string text, const std::string& what, const std::string& with) {
  const size_t at = text.find(what);
  if (at == std::string::npos) {
    ADD_FAILURE() << "form not in text";
    return text;
  }
  return text.replace(at, what.size(), with);
}

// Redacts `text` whole and byte by byte; expects exactly `form` replaced once.
void expect_form_redacted(const std::shared_ptr<const SecretSet>& set, const Secret& secret,
                          const std::string& text, const std::string& form,
                          const std::string& what) {
  SCOPED_TRACE(secret.name + " " + what);
  ASSERT_GE(form.size(), 6u);
  const std::string expected = replace_first(text, form, marker(secret.name));
  EXPECT_EQ(redact_whole(set, text), expected);
  Redactor r(set);
  EXPECT_EQ(redact_chunked(r, text, {1}), expected);
  EXPECT_EQ(r.total_redactions(), 1u);
}

TEST(RedactEncodings, Hex) {
  auto set = compile_or_die(sample_secrets());
  for (const Secret& s : sample_secrets()) {
    for (bool upper : {false, true}) {
      const std::string form = testing::hex(s.value, upper);
      expect_form_redacted(set, s, "digest: " + form + "\n", form, upper ? "HEX" : "hex");
    }
  }
}

TEST(RedactEncodings, Base64EveryAlignmentBothAlphabets) {
  auto set = compile_or_die(sample_secrets());
  std::mt19937_64 rng(3);
  for (const Secret& s : sample_secrets()) {
    for (int alignment = 0; alignment < 3; ++alignment) {
      for (bool url : {false, true}) {
        for (int suffix = 0; suffix < 3; ++suffix) {  // also ends on every padding length
          const std::string plain = testing::random_bytes(rng, size_t(alignment)) + s.value +
                                    testing::random_bytes(rng, size_t(suffix));
          const std::string encoded = testing::base64(plain, url);
          const std::string middle = testing::base64_stable_middle(s.value, alignment, url);
          ASSERT_NE(encoded.find(middle), std::string::npos);
          expect_form_redacted(set, s, "blob=" + encoded + ";", middle,
                               "base64 alignment " + std::to_string(alignment) +
                                   (url ? " url" : " std") + " suffix " + std::to_string(suffix));
        }
      }
    }
  }
}

TEST(RedactEncodings, Base64InsideBasicAuthHeader) {
  auto set = compile_or_die({{"DB_PASSWORD", "correct-horse-battery"}});
  for (std::string user : {"al", "bob", "carol"}) {  // three different alignments
    const std::string header =
        "Authorization: Basic " + testing::base64(user + ":correct-horse-battery");
    const std::string out = redact_whole(set, header + "\r\n");
    EXPECT_THAT(out, HasSubstr("[REDACTED:DB_PASSWORD]")) << user;
    EXPECT_THAT(out, Not(HasSubstr(testing::base64_stable_middle(
                         "correct-horse-battery", int((user.size() + 1) % 3), false))));
  }
}

TEST(RedactEncodings, PercentEncoding) {
  auto set = compile_or_die(sample_secrets());
  for (const Secret& s : sample_secrets()) {
    expect_form_redacted(set, s,
                         "GET /?q=" + testing::percent(s.value, nullptr, true) + " HTTP/1.1",
                         testing::percent(s.value, nullptr, true), "all %XX");
    expect_form_redacted(set, s,
                         "GET /?q=" + testing::percent(s.value, nullptr, false) + " HTTP/1.1",
                         testing::percent(s.value, nullptr, false), "all %xx");
    for (const char* keep : {testing::kUriComponentKeeps, testing::kRfc3986Keeps}) {
      const std::string form = testing::percent(s.value, keep);
      if (form == s.value) continue;  // nothing to escape: the raw value covers it
      expect_form_redacted(set, s, "url=https://x.test/cb?t=" + form + "&x=1", form,
                           std::string("keeping ") + keep);
    }
  }
}

TEST(RedactEncodings, EncodeUriComponentOfTypicalPassword) {
  auto set = compile_or_die({{"PW", "p@ss w/rd+?"}});
  EXPECT_EQ(redact_whole(set, "pw=p%40ss%20w%2Frd%2B%3F&next"), "pw=[REDACTED:PW]&next");
}

TEST(RedactEncodings, OnlyRawWhenEncodingsAreOff) {
  const Secret s{"K", "plain-secret"};
  auto set = compile_or_die({s}, Encodings{.hex = false, .base64 = false, .percent = false});
  EXPECT_EQ(set->pattern_count(), 1u);
  const std::string hexed = testing::hex(s.value, false);
  EXPECT_EQ(redact_whole(set, hexed), hexed);
  EXPECT_EQ(redact_whole(set, s.value), "[REDACTED:K]");
}

TEST(RedactEncodings, EveryFormOfEverySecretAgreesWithTheReference) {
  const auto& secrets = sample_secrets();
  auto set = compile_or_die(secrets);
  const testing::Reference reference(secrets);
  std::string text;
  for (const Secret& s : secrets) {
    for (const std::string& form : testing::all_forms(s.value)) text += "<" + form + ">\n";
  }
  std::map<std::string, uint64_t> counts;
  const std::string expected = reference.redact(text, &counts);
  Redactor r(set);
  EXPECT_EQ(redact_chunked(r, text, {13, 1, 64}), expected);
  for (size_t i = 0; i < set->names().size(); ++i) {
    EXPECT_EQ(r.counts()[i], counts[set->names()[i]]) << set->names()[i];
    EXPECT_GE(r.counts()[i], 10u) << set->names()[i];
  }
  for (const Secret& s : secrets) EXPECT_THAT(expected, Not(HasSubstr(s.value)));
}

}  // namespace
}  // namespace sbx::redact
