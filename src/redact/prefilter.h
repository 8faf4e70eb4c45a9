// A blocked Bloom filter that rules out, cheaply, the positions where no pattern can start, so
// the redactor skips ordinary output without running the automaton over it.
//
// Every pattern is at least `m` bytes long. The filter holds the q-grams (q bytes) at offsets
// 0 .. s-1 of every pattern, s = m - q + 1 (the stride). An occurrence starting at x then puts
// one of those q-grams at every position p in [x, x + s - 1], so a miss at p rules out every
// start in [p - s + 1, p]: one test per s bytes clears the stream. Tests are independent of
// each other, unlike the automaton's state-to-state dependency chain.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace sbx::redact {

class Prefilter {
 public:
  static constexpr size_t kLoad = 8;        // bytes read at a tested position
  static constexpr size_t kMaxStride = 16;  // caps the entries per pattern

  Prefilter();  // no pattern can start anywhere
  // `shortest` is the length of the shortest pattern (at least 4).
  Prefilter(const std::vector<std::string_view>& patterns, size_t shortest);
  Prefilter(Prefilter&&) noexcept = default;
  Prefilter& operator=(Prefilter&&) noexcept = default;
  ~Prefilter();

  size_t stride() const { return stride_; }

  // False when no pattern starts in [p - stride + 1, p]. `p` must have kLoad readable bytes.
  bool may_start_near(const uint8_t* p) const {
    const uint64_t h = hash(p);
    const uint64_t probe = probe_bits(h);
    return (bits_[h >> shift_] & probe) == probe;
  }

  // The first position x >= from that the filter cannot clear using tests at positions below
  // `limit` (which must have kLoad readable bytes): x may start an occurrence, or x + stride - 1
  // reaches `limit`.
  size_t skip(const uint8_t* data, size_t from, size_t limit) const {
    size_t x = from;
    for (;;) {
      const size_t p = x + stride_ - 1;
      if (p >= limit) return x;
      if (!may_start_near(data + p)) {
        x = p + 1;
        continue;
      }
      // A hit at p: a miss at some q in [x, p) still clears [x, q].
      size_t q = p;
      while (q > x && may_start_near(data + q - 1)) --q;
      if (q == x) return x;
      x = q;
    }
  }

  size_t memory_bytes() const { return bits_.capacity() * sizeof(uint64_t); }

 private:
  // Two bits in one 64-bit word per entry: one memory access, and the filter stays small
  // enough to live in the CPU caches while the stream passes through them.
  static uint64_t probe_bits(uint64_t h) {
    return (uint64_t{1} << (h & 63)) | (uint64_t{1} << ((h >> 6) & 63));
  }

  uint64_t hash(const uint8_t* p) const {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    // Keep the q bytes that come first in memory.
    if constexpr (std::endian::native == std::endian::little) {
      word &= mask_;
    } else {
      word >>= 64 - 8 * width_;
    }
    return word * 0x9E3779B97F4A7C15ull;  // Fibonacci hashing: the top bits pick the word
  }

  size_t width_;   // q
  size_t stride_;  // s
  uint64_t mask_;
  unsigned shift_;  // 64 - log2(words)
  std::vector<uint64_t> bits_;
};

}  // namespace sbx::redact
