// Streaming behaviour of the Redactor on raw values: chunking, overlaps, holdback, counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "redact_test_support.h"

namespace sbx::redact {
namespace {

using testing::as_string;
using testing::compile_or_die;
using ::testing::HasSubstr;
using testing::marker;
using ::testing::Not;
using testing::redact_chunked;
using testing::redact_whole;

constexpr Encodings kRawOnly{.hex = false, .base64 = false, .percent = false};

TEST(RedactStream, ReplacesWholeSecret) {
  auto set = compile_or_die({{"API_KEY", "s3cr3t-value-42"}});
  EXPECT_EQ(redact_whole(set, "token=s3cr3t-value-42\n"), "token=[REDACTED:API_KEY]\n");
  EXPECT_EQ(redact_whole(set, "s3cr3t-value-42"), "[REDACTED:API_KEY]");
  EXPECT_EQ(redact_whole(set, "s3cr3t-value-42s3cr3t-value-42"),
            "[REDACTED:API_KEY][REDACTED:API_KEY]");
  EXPECT_EQ(redact_whole(set, "s3cr3t-value-4 almost"), "s3cr3t-value-4 almost");
  EXPECT_EQ(redact_whole(set, ""), "");
}

TEST(RedactStream, SecretSplitAtEveryPositionAcrossTwoFeeds) {
  const std::string secret = "hunter2-and-more";
  auto set = compile_or_die({{"PW", secret}});
  const std::string text = "login ok, password=" + secret + " (stored)";
  const std::string expected = "login ok, password=[REDACTED:PW] (stored)";
  for (size_t split = 0; split <= text.size(); ++split) {
    Redactor r(set);
    std::string out = as_string(r.feed(std::string_view(text).substr(0, split)));
    out += as_string(r.feed(std::string_view(text).substr(split)));
    out += as_string(r.finish());
    EXPECT_EQ(out, expected) << "split at " << split;
    EXPECT_EQ(r.total_redactions(), 1u) << "split at " << split;
  }
}

TEST(RedactStream, ByteByByte) {
  const std::string secret = "ghp_0123456789abcdefABCDEF";
  auto set = compile_or_die({{"GH", secret}});
  const std::string text = "a" + secret + "b" + secret + secret + "\n";
  Redactor r(set);
  EXPECT_EQ(redact_chunked(r, text, {1}), "a[REDACTED:GH]b[REDACTED:GH][REDACTED:GH]\n");
  EXPECT_EQ(r.counts(), std::vector<uint64_t>{3});
}

TEST(RedactStream, NothingIsHeldBackThatCannotStartASecret) {
  auto set = compile_or_die({{"K", "zzzzzzzzzz"}});
  Redactor r(set);
  // Ordinary output goes out at once: a prompt without a newline must not stall.
  EXPECT_EQ(as_string(r.feed("Password: ")), "Password: ");
  EXPECT_EQ(r.held_back(), 0u);
  EXPECT_EQ(as_string(r.feed("ab")), "ab");
  // A possible beginning of the secret is held, and released once it cannot be one any more.
  EXPECT_EQ(as_string(r.feed("xzzz")), "x");
  EXPECT_EQ(r.held_back(), 3u);
  EXPECT_EQ(as_string(r.feed("q")), "zzzq");
  EXPECT_EQ(r.held_back(), 0u);
  EXPECT_EQ(as_string(r.feed("zzzzz")), "");
  EXPECT_EQ(as_string(r.finish()), "zzzzz");  // end of stream: it was not the secret
  EXPECT_EQ(r.total_redactions(), 0u);
}

TEST(RedactStream, HoldbackNeverExceedsLongestPatternMinusOne) {
  // Streams made of secret prefixes keep the automaton deep for as long as possible.
  const std::vector<Secret> secrets = {
      {"A", "aaaaaaaaaaaaaaab"}, {"B", "aaaaaac"}, {"C", "abababab"}};
  auto set = compile_or_die(secrets);
  const size_t bound = set->longest_pattern() - 1;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    const std::string text = testing::random_bytes(rng, 4000, "aaaaaaabbc");
    Redactor r(set);
    size_t fed = 0, emitted = 0;
    for (size_t i = 0; i < text.size();) {
      const size_t n = std::min<size_t>(1 + rng() % 40, text.size() - i);
      emitted += r.feed(std::string_view(text).substr(i, n)).size();
      i += n;
      fed += n;
      ASSERT_LE(r.held_back(), bound);
    }
    emitted += r.finish().size();
    EXPECT_EQ(r.held_back(), 0u);
    EXPECT_GT(emitted, 0u);
    (void)fed;
  }
}

TEST(RedactStream, BinaryDataWithNulsIsUntouched) {
  std::string secret("\x00\x01\xff\xfe\x00s3cret\x00", 12);
  auto set = compile_or_die({{"BIN", secret}});
  std::string data;
  for (int i = 0; i < 4096; ++i) data += char(i * 7 % 256);
  data += std::string("\0\0\0", 3);
  EXPECT_EQ(redact_whole(set, data), data);
  const std::string text = data + secret + data;
  EXPECT_EQ(redact_whole(set, text), data + "[REDACTED:BIN]" + data);
  Redactor r(set);
  EXPECT_EQ(redact_chunked(r, text, {3, 1, 4, 1, 5, 9, 2, 6}), data + "[REDACTED:BIN]" + data);
}

TEST(RedactStream, SecretThatIsAPrefixOfAnotherGivesWay) {
  auto set = compile_or_die({{"SHORT", "abcdef"}, {"LONG", "abcdefghij"}}, kRawOnly);
  EXPECT_EQ(redact_whole(set, "xabcdefghijx"), "x[REDACTED:LONG]x");
  EXPECT_EQ(redact_whole(set, "xabcdefghix"), "x[REDACTED:SHORT]ghix");
  EXPECT_EQ(redact_whole(set, "abcdefabcdefghij"), "[REDACTED:SHORT][REDACTED:LONG]");
  // Decided only once the longer one is ruled out, also across feeds.
  Redactor r(set);
  EXPECT_EQ(as_string(r.feed("abcdef")), "");
  EXPECT_EQ(as_string(r.feed("ghi")), "");
  EXPECT_EQ(as_string(r.feed("j!")), "[REDACTED:LONG]!");
  EXPECT_EQ(r.counts(), (std::vector<uint64_t>{0, 1}));
}

TEST(RedactStream, OverlappingSecretsAreBothHidden) {
  auto set = compile_or_die({{"A", "abcdefgh"}, {"B", "efghijkl"}, {"C", "cdef12"}}, kRawOnly);
  // Leftmost-longest first, then the overlapping rest: no byte of either secret is emitted.
  EXPECT_EQ(redact_whole(set, "-abcdefghijkl-"), "-[REDACTED:A][REDACTED:B]-");
  EXPECT_EQ(redact_whole(set, "-abcdef12-"), "-ab[REDACTED:C]-");
  // An occurrence wholly inside another is not counted.
  auto nested =
      compile_or_die({{"OUTER", "xxinner-secretxx"}, {"INNER", "inner-secret"}}, kRawOnly);
  Redactor r(nested);
  EXPECT_EQ(redact_chunked(r, "[xxinner-secretxx] inner-secret", {5}),
            "[[REDACTED:OUTER]] [REDACTED:INNER]");
  EXPECT_EQ(r.counts(), (std::vector<uint64_t>{1, 1}));
}

TEST(RedactStream, OverlapSeenWhileTheFirstSecretIsStillUndecided) {
  // B is reported while a longer secret L still keeps A open; once L fails, A is replaced and
  // B's part beyond A must not leak.
  auto set = compile_or_die({{"A", "abcdef"}, {"B", "cdefgh"}, {"L", "abcdefghijkl"}}, kRawOnly);
  for (size_t chunk : {1, 3, 100}) {
    Redactor r(set);
    EXPECT_EQ(redact_chunked(r, "abcdefghXYZ", {chunk}), "[REDACTED:A][REDACTED:B]XYZ") << chunk;
    EXPECT_EQ(r.counts(), (std::vector<uint64_t>{1, 1, 0}));
  }
  EXPECT_EQ(redact_whole(set, "abcdefghijkl"), "[REDACTED:L]");
}

TEST(RedactStream, SelfOverlappingSecret) {
  auto set = compile_or_die({{"R", "abcabc"}}, kRawOnly);
  Redactor r(set);
  EXPECT_EQ(redact_chunked(r, "abcabcabc", {1}), "[REDACTED:R][REDACTED:R]");
  EXPECT_EQ(r.total_redactions(), 2u);
  EXPECT_EQ(redact_whole(set, "abcabcab"), "[REDACTED:R]ab");
}

TEST(RedactStream, CountsPerName) {
  auto set = compile_or_die({{"ONE", "first-secret"},
                             {"TWO", "second-secret"},
                             {"ONE", "rotated-first"},
                             {"ZERO", "never-printed"}});
  ASSERT_EQ(set->names(), (std::vector<std::string>{"ONE", "TWO", "ZERO"}));
  Redactor r(set);
  const std::string out =
      redact_chunked(r, "first-secret second-secret rotated-first first-secret", {4});
  EXPECT_EQ(out, "[REDACTED:ONE] [REDACTED:TWO] [REDACTED:ONE] [REDACTED:ONE]");
  EXPECT_EQ(r.counts(), (std::vector<uint64_t>{3, 1, 0}));
  EXPECT_EQ(r.total_redactions(), 4u);
}

TEST(RedactStream, FinishStartsANewStream) {
  auto set = compile_or_die({{"K", "k3y-value"}});
  Redactor r(set);
  EXPECT_EQ(as_string(r.feed("k3y-val")), "");
  EXPECT_EQ(as_string(r.finish()), "k3y-val");
  // The earlier tail does not join the next stream's bytes.
  EXPECT_EQ(as_string(r.feed("ue and k3y-value")), "ue and [REDACTED:K]");
  EXPECT_EQ(as_string(r.finish()), "");
  EXPECT_EQ(r.total_redactions(), 1u);
}

TEST(RedactStream, FiveHundredSecretsAtOnce) {
  std::mt19937_64 rng(500);
  std::vector<Secret> secrets;
  for (int i = 0; i < 500; ++i) {
    secrets.push_back({"S" + std::to_string(i),
                       testing::random_bytes(
                           rng, 8 + rng() % 40,
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")});
  }
  auto set = compile_or_die(secrets);
  EXPECT_GT(set->pattern_count(), 500u * 7);
  std::vector<size_t> order(secrets.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::string text, expected;
  for (size_t i : order) {
    const bool encoded = i % 3 == 0;
    text += "line " + std::to_string(i) + ": " +
            (encoded ? testing::hex(secrets[i].value, false) : secrets[i].value) + "\n";
    expected += "line " + std::to_string(i) + ": " + marker(secrets[i].name) + "\n";
  }
  Redactor r(set);
  EXPECT_EQ(redact_chunked(r, text, {4096, 7, 100, 1}), expected);
  for (size_t i = 0; i < secrets.size(); ++i) EXPECT_EQ(r.counts()[i], 1u) << secrets[i].name;
}

TEST(RedactStream, NoFalsePositivesOnRandomData) {
  std::mt19937_64 rng(99);
  std::vector<Secret> secrets;
  for (int i = 0; i < 100; ++i)
    secrets.push_back({"S" + std::to_string(i), testing::random_bytes(rng, 24)});
  auto set = compile_or_die(secrets);
  const std::string data = testing::random_bytes(rng, 1 << 20);
  const std::string text_like = testing::random_bytes(rng, 1 << 20, "abcdef0123456789 =:\n");
  for (const std::string* input : {&data, &text_like}) {
    Redactor r(set);
    EXPECT_TRUE(redact_chunked(r, *input, {65536, 1, 3, 4093}) == *input);
    EXPECT_EQ(r.total_redactions(), 0u);
  }
}

TEST(RedactStream, EmptySecretListPassesEverythingThrough) {
  auto set = compile_or_die({});
  Redactor r(set);
  EXPECT_EQ(as_string(r.feed("anything at all\n")), "anything at all\n");
  EXPECT_EQ(r.held_back(), 0u);
  EXPECT_EQ(as_string(r.finish()), "");
}

TEST(RedactStream, CleanChunksAreReturnedWithoutCopying) {
  auto set = compile_or_die({{"K", "secret-k-value"}});
  Redactor r(set);
  const std::string clean(100000, 'x');
  const auto out = r.feed(clean);
  EXPECT_EQ(static_cast<const void*>(out.data()), static_cast<const void*>(clean.data()));
  EXPECT_EQ(out.size(), clean.size());
  // A held-back tail, or a replacement, needs a buffer of its own.
  EXPECT_EQ(as_string(r.feed("abc secret-k")), "abc ");
  const std::string rest = "-value " + clean;
  EXPECT_EQ(as_string(r.feed(rest)), "[REDACTED:K] " + clean);
}

TEST(RedactStream, OutputViewIsValidUntilNextCall) {
  auto set = compile_or_die({{"K", "secret-k"}});
  Redactor r(set);
  auto first = r.feed("x secret-k y");
  EXPECT_EQ(as_string(first), "x [REDACTED:K] y");
  EXPECT_THAT(as_string(r.feed("secret-")), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace sbx::redact
