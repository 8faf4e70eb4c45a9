#include "supervisor/output_stream.h"

#include <unistd.h>

#include <cerrno>

namespace sbx::supervisor {

OutputStream::OutputStream(std::string name, UniqueFd pipe, int sink_fd, uint64_t limit, bool keep_tail,
                           std::unique_ptr<StreamTransform> transform)
    : name_(std::move(name)),
      pipe_(std::move(pipe)), sink_fd_(sink_fd), limiter_(limit, keep_tail), transform_(std::move(transform)) {}

Status OutputStream::emit(std::string& data) {
  if (data.empty()) return {};
  if (sink_fd_ < 0) {
    captured_.append(data);
  } else if (!sink_broken_) {
    std::string_view rest = data;
    while (!rest.empty()) {
      const ssize_t n = ::write(sink_fd_, rest.data(), rest.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          // The caller gave us a non-blocking fd; wait for it rather than lose output.
          ::usleep(1000);
          continue;
        }
        // EPIPE and friends: whoever reads our output is gone. As with a plain pipe, the
        // program's next write to this stream fails (SIGPIPE or EPIPE): read_available closes
        // our end. Draining it instead would let a program that writes forever run forever.
        sink_broken_ = true;
        break;
      }
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }
  data.clear();
  return {};
}

Status OutputStream::read_available(int max_rounds) {
  if (!pipe_.valid()) return {};
  char buf[65536];
  // Bounded, so one busy stream cannot starve the other or the timer.
  for (int rounds = 0; max_rounds < 0 || rounds < max_rounds; ++rounds) {
    const ssize_t n = ::read(pipe_.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return {};
      return errno_error("read program output");
    }
    if (n == 0) return flush_and_close();
    bytes_read_ += static_cast<uint64_t>(n);
    const std::string_view chunk(buf, static_cast<size_t>(n));
    if (transform_) {
      transform_->feed(chunk, scratch_);
      limiter_.push(scratch_, limited_);
      scratch_.clear();
    } else {
      limiter_.push(chunk, limited_);
    }
    SBX_RETURN_IF_ERROR(emit(limited_));
    if (sink_broken_) {
      pipe_.reset();
      return {};
    }
  }
  return {};
}

Status OutputStream::flush_and_close() {
  if (transform_) {
    transform_->finish(scratch_);
    limiter_.push(scratch_, limited_);
    scratch_.clear();
  }
  limiter_.finish(limited_);
  pipe_.reset();
  return emit(limited_);
}

Status OutputStream::drain() {
  SBX_RETURN_IF_ERROR(read_available(/*max_rounds=*/-1));
  if (!pipe_.valid()) return {};
  return flush_and_close();
}

StreamReport OutputStream::report() const {
  StreamReport r;
  r.bytes = bytes_read_;
  r.dropped_bytes = limiter_.dropped_bytes();
  r.truncated = r.dropped_bytes > 0;
  r.captured = sink_fd_ < 0;
  r.text = captured_;
  return r;
}

}  // namespace sbx::supervisor
