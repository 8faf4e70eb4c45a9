// Splits a byte stream into newline-delimited messages (the framing MCP's stdio transport and
// sbx.rpc/1 share) with a hard size limit per line. An oversized line is skipped up to its
// newline and reported once, so one bad message never desynchronises the stream.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::rpc {

struct Frame {
  bool oversized = false;  // the line was longer than the limit; `line` is empty then
  std::string line;        // without the newline (and without a trailing '\r')
  size_t bytes = 0;        // length of the line as received
};

class LineFramer {
 public:
  explicit LineFramer(size_t max_line_bytes) : max_(max_line_bytes) {}

  // Appends received bytes; every line they complete is appended to `out`. Blank lines are
  // dropped.
  void feed(std::string_view data, std::vector<Frame>& out);

  // At end of input: the last line if it had no newline.
  std::optional<Frame> finish();

  size_t max_line_bytes() const { return max_; }

 private:
  void complete(std::vector<Frame>& out);

  size_t max_;
  std::string partial_;
  bool discarding_ = false;  // inside an oversized line, waiting for its newline
  size_t discarded_ = 0;
};

}  // namespace sbx::rpc
