#include "supervisor/output_limit.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sbx::supervisor {
namespace {

std::string run(HeadTailLimiter& limiter, const std::string& input, size_t chunk) {
  std::string out;
  for (size_t i = 0; i < input.size(); i += chunk) limiter.push(std::string_view(input).substr(i, chunk), out);
  limiter.finish(out);
  return out;
}

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

TEST(HeadTailLimiterTest, UnderTheLimitPassesThroughUnchanged) {
  for (size_t chunk : {1, 3, 100, 5000}) {
    HeadTailLimiter limiter(1000, /*keep_tail=*/true);
    const std::string input = pattern(1000);
    EXPECT_EQ(run(limiter, input, chunk), input) << "chunk " << chunk;
    EXPECT_EQ(limiter.dropped_bytes(), 0u);
    EXPECT_FALSE(limiter.exceeded());
  }
}

TEST(HeadTailLimiterTest, KeepsHeadAndTailAndSaysHowMuchWasDropped) {
  for (size_t chunk : {1, 7, 64, 999, 100000}) {
    HeadTailLimiter limiter(1000, /*keep_tail=*/true);
    const std::string input = pattern(10000);
    const std::string out = run(limiter, input, chunk);
    EXPECT_EQ(limiter.dropped_bytes(), 9000u);
    EXPECT_TRUE(limiter.exceeded());
    EXPECT_EQ(out, input.substr(0, 500) + HeadTailLimiter::marker(9000, 1000) + input.substr(9500)) << "chunk " << chunk;
  }
}

TEST(HeadTailLimiterTest, OddLimitsSplitWithoutLosingAByte) {
  HeadTailLimiter limiter(1001, /*keep_tail=*/true);
  const std::string input = pattern(5000);
  const std::string out = run(limiter, input, 13);
  EXPECT_EQ(out, input.substr(0, 501) + HeadTailLimiter::marker(3999, 1001) + input.substr(4500));
}

TEST(HeadTailLimiterTest, WithoutTailEverythingPastTheLimitIsDropped) {
  HeadTailLimiter limiter(100, /*keep_tail=*/false);
  const std::string input = pattern(250);
  EXPECT_EQ(run(limiter, input, 9), input.substr(0, 100) + HeadTailLimiter::marker(150, 100));
  EXPECT_EQ(limiter.total_bytes(), 250u);
}

TEST(HeadTailLimiterTest, MatchesAReferenceForRandomChunkings) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    const size_t limit = 2 + rng() % 300;
    const size_t size = rng() % 1200;
    const std::string input = pattern(size);
    HeadTailLimiter limiter(limit, true);
    std::string out;
    for (size_t i = 0; i < input.size();) {
      const size_t n = std::min<size_t>(1 + rng() % 50, input.size() - i);
      limiter.push(std::string_view(input).substr(i, n), out);
      i += n;
    }
    limiter.finish(out);
    const size_t head = limit - limit / 2;
    const size_t tail = limit / 2;
    const std::string expected =
        size <= limit ? input
                      : input.substr(0, head) + HeadTailLimiter::marker(size - limit, limit) + input.substr(size - tail);
    ASSERT_EQ(out, expected) << "limit " << limit << " size " << size;
  }
}

TEST(HeadTailLimiterTest, MemoryStaysWithinHalfTheLimitForAHugeStream) {
  HeadTailLimiter limiter(4096, true);
  std::string out;
  const std::string block(1 << 16, 'x');
  for (int i = 0; i < 2048; ++i) {  // 128 MiB through a 4 KiB limit
    limiter.push(block, out);
    ASSERT_LE(out.size(), 4096u);
  }
  limiter.finish(out);
  EXPECT_EQ(limiter.dropped_bytes(), (uint64_t{2048} << 16) - 4096);
  EXPECT_EQ(out.size(), 4096u + HeadTailLimiter::marker(limiter.dropped_bytes(), 4096).size());
}

}  // namespace
}  // namespace sbx::supervisor
