#include "redact/prefilter.h"

#include <algorithm>

#include "redact/wipe.h"

namespace sbx::redact {
namespace {

// About 16 bits per entry keeps false hits near 2%; 1 KiB to 128 KiB of filter. A false hit
// costs a test or two more, so a smaller, cache-resident filter is the better trade.
constexpr unsigned kMinLog2Words = 7;
constexpr unsigned kMaxLog2Words = 14;

unsigned log2_words_for(size_t entries) {
  unsigned log2 = kMinLog2Words;
  while (log2 < kMaxLog2Words && (size_t{64} << log2) < entries * 16) ++log2;
  return log2;
}

uint64_t mask_for(size_t width) {
  return width >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * width)) - 1;
}

}  // namespace

Prefilter::Prefilter()
    : width_(4),
      stride_(1),
      mask_(mask_for(4)),
      shift_(64 - kMinLog2Words),
      bits_(size_t{1} << kMinLog2Words, 0) {}

Prefilter::Prefilter(const std::vector<std::string_view>& patterns, size_t shortest) {
  // Six bytes tell patterns apart from ordinary text far better than four, but cost stride.
  width_ = shortest >= 10 ? 6 : 4;
  stride_ = std::min(shortest - width_ + 1, kMaxStride);
  mask_ = mask_for(width_);
  const unsigned log2 = log2_words_for(patterns.size() * stride_);
  shift_ = 64 - log2;
  bits_.assign(size_t{1} << log2, 0);
  uint8_t buffer[kLoad] = {};
  for (std::string_view pattern : patterns) {
    for (size_t offset = 0; offset < stride_; ++offset) {
      std::copy_n(pattern.data() + offset, width_, buffer);
      const uint64_t h = hash(buffer);
      bits_[h >> shift_] |= probe_bits(h);
    }
  }
  explicit_bzero(buffer, sizeof buffer);
}

Prefilter::~Prefilter() { wipe(bits_); }

}  // namespace sbx::redact
