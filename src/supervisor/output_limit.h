// Bounds one output stream: the first half of the limit passes through live, the last half is
// kept in a ring, and whatever falls out of the ring in between is dropped and counted. At the
// end one marker line says how much was dropped, then the tail follows. Memory stays within the
// ring (half the limit), however much the program writes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sbx::supervisor {

class HeadTailLimiter {
 public:
  // keep_tail false: the whole limit is head and everything after it is dropped (used when the
  // run is killed at the limit, where no tail will follow).
  HeadTailLimiter(uint64_t limit, bool keep_tail);

  // Appends to `out` what may be written now.
  void push(std::string_view data, std::string& out);
  // Appends the marker line (if anything was dropped) and the kept tail.
  void finish(std::string& out);

  uint64_t total_bytes() const { return total_; }
  uint64_t dropped_bytes() const { return dropped_; }
  bool exceeded() const { return total_ > limit_; }

  static std::string marker(uint64_t dropped, uint64_t limit);

 private:
  void push_tail(std::string_view data);

  uint64_t limit_;
  uint64_t head_budget_;
  uint64_t tail_capacity_;
  uint64_t head_written_ = 0;
  uint64_t total_ = 0;
  uint64_t dropped_ = 0;
  std::string ring_;   // grows up to tail_capacity_, then wraps
  size_t ring_start_ = 0;  // oldest byte once the ring is full
};

}  // namespace sbx::supervisor
