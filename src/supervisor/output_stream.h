// One of the program's output streams on its way to the caller: read from the sandbox's pipe,
// rewritten (secret redaction), bounded (HeadTailLimiter), then written to the caller's fd live
// or captured for the JSON verdict.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "supervisor/output_limit.h"

namespace sbx::supervisor {

// Rewrites a byte stream incrementally; may hold bytes back until finish().
class StreamTransform {
 public:
  virtual ~StreamTransform() = default;
  virtual void feed(std::string_view in, std::string& out) = 0;
  virtual void finish(std::string& out) = 0;
  // Adds what was replaced, per secret name, to `counts`.
  virtual void add_counts(std::map<std::string, uint64_t>& counts) const = 0;
};

struct StreamReport {
  uint64_t bytes = 0;          // what the program wrote
  uint64_t dropped_bytes = 0;  // cut from the middle by the output limit
  bool truncated = false;
  bool captured = false;  // `text` holds the (bounded, redacted) output
  std::string text;
};

class OutputStream {
 public:
  // `name` is "stdout" or "stderr". sink_fd < 0: capture instead of writing. transform may be null.
  OutputStream(std::string name, UniqueFd pipe, int sink_fd, uint64_t limit, bool keep_tail,
               std::unique_ptr<StreamTransform> transform);

  const std::string& name() const { return name_; }
  int fd() const { return pipe_.get(); }
  bool open() const { return pipe_.valid(); }
  // Reads what the pipe holds now (the pipe is non-blocking) and passes it on. At EOF, flushes
  // everything held back and closes the pipe.
  Status pump() { return read_available(/*max_rounds=*/16); }
  // After the sandbox is gone: passes on everything still buffered in the pipe, then closes it.
  // Does not wait for EOF, which a descriptor smuggled out of the sandbox could delay forever.
  Status drain();
  bool limit_exceeded() const { return limiter_.exceeded(); }

  StreamTransform* transform() const { return transform_.get(); }
  StreamReport report() const;

 private:
  Status read_available(int max_rounds);
  Status emit(std::string& data);
  Status flush_and_close();

  std::string name_;
  UniqueFd pipe_;
  int sink_fd_;
  HeadTailLimiter limiter_;
  std::unique_ptr<StreamTransform> transform_;
  uint64_t bytes_read_ = 0;
  std::string captured_;
  std::string scratch_;
  std::string limited_;
  bool sink_broken_ = false;  // the caller closed its end: stop reading, so the program sees it too
};

}  // namespace sbx::supervisor
