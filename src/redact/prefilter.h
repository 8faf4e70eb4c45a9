// A Bloom-style filter over the first kWidth bytes of every pattern: may_start(p) is false only
// when no pattern starts at p. Positions are tested independently of each other, so the CPU
// overlaps them, unlike the automaton's state-to-state dependency chain; the redactor uses it to
// skip, from the root state, the long stretches of output where nothing can start.
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
  static constexpr size_t kWidth = 6;  // bytes hashed; every pattern is at least this long
  static constexpr size_t kLoad = 8;   // bytes read at a tested position

  Prefilter();  // no pattern can start anywhere
  // Every prefix must be exactly kWidth bytes.
  explicit Prefilter(const std::vector<std::string_view>& prefixes);
  Prefilter(Prefilter&&) noexcept = default;
  Prefilter& operator=(Prefilter&&) noexcept = default;
  ~Prefilter();

  // `p` must have kLoad readable bytes.
  bool may_start(const uint8_t* p) const {
    const uint64_t h = slot(p);
    return (bits_[h >> 6] >> (h & 63)) & 1;
  }

  // The first position in [from, limit) where a pattern may start, or `limit` (or `from` when
  // it is past `limit`). Positions below `limit` must have kLoad readable bytes.
  size_t skip(const uint8_t* data, size_t from, size_t limit) const {
    size_t i = from;
    while (i + 4 <= limit) {
      const bool hit = may_start(data + i) | may_start(data + i + 1) | may_start(data + i + 2) |
                       may_start(data + i + 3);
      if (hit) break;
      i += 4;
    }
    while (i < limit && !may_start(data + i)) ++i;
    return i;
  }

  size_t memory_bytes() const { return bits_.capacity() * sizeof(uint64_t); }

 private:
  uint64_t slot(const uint8_t* p) const {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    // Keep the kWidth bytes that come first in memory.
    if constexpr (std::endian::native == std::endian::little) {
      word &= (uint64_t{1} << (8 * kWidth)) - 1;
    } else {
      word >>= 8 * (kLoad - kWidth);
    }
    return (word * 0x9E3779B97F4A7C15ull) >> shift_;  // Fibonacci hashing: top bits are mixed
  }

  unsigned shift_;
  std::vector<uint64_t> bits_;
};

}  // namespace sbx::redact
