// One client's newline-delimited message channel over the event loop: a socket (one fd both
// ways) or a pair of pipes (sbx rpc and sbx mcp on stdin/stdout). Reads are framed with the
// line-size limit; writes are queued and flushed as the peer accepts them.
//
// Input ending (EOF: "no more requests") and the peer going away (hang-up: "nobody will read
// the answers") are told apart, so a client may half-close and still collect its results.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>

#include "base/unique_fd.h"
#include "rpc/event_loop.h"
#include "rpc/line_framer.h"

namespace sbx::rpc {

struct ConnectionHandlers {
  std::function<void(std::string line)> on_line;
  std::function<void(size_t bytes)> on_oversized;
  std::function<void()> on_input_end;
  std::function<void()> on_hangup;  // at most once; the connection is closed afterwards
};

class LineConnection {
 public:
  // `out` invalid: the same descriptor as `in` (a socket).
  LineConnection(EventLoop& loop, UniqueFd in, UniqueFd out, size_t max_line_bytes, ConnectionHandlers handlers);
  LineConnection(const LineConnection&) = delete;
  LineConnection& operator=(const LineConnection&) = delete;
  ~LineConnection();

  // Queues one message; the newline is added here.
  void send(std::string line);
  size_t backlog() const { return backlog_; }
  bool input_open() const { return input_open_; }
  bool closed() const { return closed_; }
  // Stops reading requests (shutdown); what is queued is still delivered.
  void stop_reading();

  // A peer that reads nothing while this much waits is treated as gone.
  static constexpr size_t kMaxBacklog = 512u << 20;

 private:
  void on_input(short revents);
  void on_output(short revents);
  void flush();
  void update_events();
  void end_input();
  void hang_up();
  int out_fd() const { return out_.valid() ? out_.get() : in_.get(); }

  EventLoop& loop_;
  UniqueFd in_;
  UniqueFd out_;
  bool shared_fd_;
  LineFramer framer_;
  ConnectionHandlers handlers_;
  std::deque<std::string> queue_;
  size_t head_offset_ = 0;
  size_t backlog_ = 0;
  bool input_open_ = true;
  bool closed_ = false;
};

}  // namespace sbx::rpc
