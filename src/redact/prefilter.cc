#include "redact/prefilter.h"

#include <algorithm>

#include "redact/wipe.h"

namespace sbx::redact {
namespace {

// About 64 bits per prefix keeps false hits near 1.5%, between 4 KiB and 512 KiB of filter.
constexpr unsigned kMinLog2Bits = 15;
constexpr unsigned kMaxLog2Bits = 22;

unsigned log2_bits_for(size_t prefixes) {
  unsigned log2 = kMinLog2Bits;
  while (log2 < kMaxLog2Bits && (size_t{1} << log2) < prefixes * 64) ++log2;
  return log2;
}

}  // namespace

Prefilter::Prefilter() : shift_(64 - kMinLog2Bits), bits_((size_t{1} << kMinLog2Bits) / 64, 0) {}

Prefilter::Prefilter(const std::vector<std::string_view>& prefixes) {
  const unsigned log2 = log2_bits_for(prefixes.size());
  shift_ = 64 - log2;
  bits_.assign((size_t{1} << log2) / 64, 0);
  uint8_t buffer[kLoad] = {};
  for (std::string_view prefix : prefixes) {
    std::copy_n(prefix.data(), std::min(prefix.size(), kWidth), buffer);
    const uint64_t h = slot(buffer);
    bits_[h >> 6] |= uint64_t{1} << (h & 63);
  }
  explicit_bzero(buffer, sizeof buffer);
}

Prefilter::~Prefilter() { wipe(bits_); }

}  // namespace sbx::redact
