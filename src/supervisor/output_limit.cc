#include "supervisor/output_limit.h"

#include <algorithm>

namespace sbx::supervisor {

HeadTailLimiter::HeadTailLimiter(uint64_t limit, bool keep_tail)
    : limit_(limit),
      head_budget_(keep_tail ? limit - limit / 2 : limit),
      tail_capacity_(keep_tail ? limit / 2 : 0) {}

void HeadTailLimiter::push(std::string_view data, std::string& out) {
  total_ += data.size();
  const uint64_t head_room = head_budget_ - head_written_;
  const size_t to_head = static_cast<size_t>(std::min<uint64_t>(head_room, data.size()));
  out.append(data.substr(0, to_head));
  head_written_ += to_head;
  push_tail(data.substr(to_head));
}

void HeadTailLimiter::push_tail(std::string_view data) {
  if (data.empty()) return;
  if (tail_capacity_ == 0) {
    dropped_ += data.size();
    return;
  }
  const size_t cap = static_cast<size_t>(tail_capacity_);
  if (data.size() >= cap) {
    // Everything already in the ring, and the front of this chunk, fall out.
    dropped_ += ring_.size() + (data.size() - cap);
    ring_.assign(data.substr(data.size() - cap));
    ring_start_ = 0;
    return;
  }
  if (ring_.size() < cap) {
    const size_t fits = std::min(cap - ring_.size(), data.size());
    ring_.append(data.substr(0, fits));
    data.remove_prefix(fits);
  }
  // The ring is full: overwrite the oldest bytes in place.
  while (!data.empty()) {
    const size_t n = std::min(cap - ring_start_, data.size());
    ring_.replace(ring_start_, n, data.substr(0, n));
    dropped_ += n;
    ring_start_ = (ring_start_ + n) % cap;
    data.remove_prefix(n);
  }
}

void HeadTailLimiter::finish(std::string& out) {
  if (dropped_ > 0) out.append(marker(dropped_, limit_));
  out.append(ring_, ring_start_, std::string::npos);
  out.append(ring_, 0, ring_start_);
  ring_.clear();
  ring_start_ = 0;
}

std::string HeadTailLimiter::marker(uint64_t dropped, uint64_t limit) {
  return "\n[sbx: output limit of " + std::to_string(limit) + " bytes reached; " + std::to_string(dropped) +
         " bytes dropped here]\n";
}

}  // namespace sbx::supervisor
