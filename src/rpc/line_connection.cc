#include "rpc/line_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <vector>

namespace sbx::rpc {

LineConnection::LineConnection(EventLoop& loop, UniqueFd in, UniqueFd out, size_t max_line_bytes,
                               ConnectionHandlers handlers)
    : loop_(loop),
      in_(std::move(in)),
      out_(std::move(out)),
      shared_fd_(!out_.valid()),
      framer_(max_line_bytes),
      handlers_(std::move(handlers)) {
  loop_.watch(in_.get(), POLLIN, [this](short revents) { on_input(revents); });
  if (!shared_fd_) loop_.watch(out_.get(), 0, [this](short revents) { on_output(revents); });
}

LineConnection::~LineConnection() {
  if (in_.valid()) loop_.unwatch(in_.get());
  if (out_.valid()) loop_.unwatch(out_.get());
}

void LineConnection::update_events() {
  if (closed_) return;
  const short out_events = backlog_ > 0 ? POLLOUT : 0;
  if (shared_fd_) {
    loop_.set_events(in_.get(), static_cast<short>((input_open_ ? POLLIN : 0) | out_events));
  } else {
    loop_.set_events(out_.get(), out_events);
    // A pipe at EOF stays readable forever; stop watching it.
    if (!input_open_ && in_.valid()) loop_.set_paused(in_.get(), true);
  }
}

void LineConnection::on_input(short revents) {
  if (closed_) return;
  if (shared_fd_) {
    // On a socket, POLLHUP means the peer closed both directions: nobody reads the answers.
    if (revents & (POLLHUP | POLLERR)) {
      hang_up();
      return;
    }
    if (revents & POLLOUT) flush();
    if (closed_ || !(revents & POLLIN) || !input_open_) return;
  }
  char buf[64 * 1024];
  const ssize_t n = ::read(in_.get(), buf, sizeof(buf));
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    if (shared_fd_) {
      hang_up();
    } else {
      end_input();
    }
    return;
  }
  if (n == 0) {
    end_input();
    return;
  }
  std::vector<Frame> frames;
  framer_.feed(std::string_view(buf, static_cast<size_t>(n)), frames);
  for (auto& f : frames) {
    if (closed_) return;
    if (f.oversized) {
      handlers_.on_oversized(f.bytes);
    } else {
      handlers_.on_line(std::move(f.line));
    }
  }
}

void LineConnection::end_input() {
  if (!input_open_) return;
  input_open_ = false;
  if (auto last = framer_.finish()) {
    if (last->oversized) {
      handlers_.on_oversized(last->bytes);
    } else {
      handlers_.on_line(std::move(last->line));
    }
  }
  if (closed_) return;
  update_events();
  handlers_.on_input_end();
}

void LineConnection::stop_reading() {
  if (!input_open_ || closed_) return;
  input_open_ = false;
  update_events();
}

void LineConnection::on_output(short revents) {
  if (closed_) return;
  if (revents & (POLLERR | POLLHUP)) {
    hang_up();
    return;
  }
  flush();
}

void LineConnection::send(std::string line) {
  if (closed_) return;
  line.push_back('\n');
  backlog_ += line.size();
  queue_.push_back(std::move(line));
  if (backlog_ > kMaxBacklog) {
    hang_up();
    return;
  }
  flush();
}

void LineConnection::flush() {
  while (!closed_ && !queue_.empty()) {
    iovec iov[16];
    int count = 0;
    size_t offset = head_offset_;
    for (auto it = queue_.begin(); it != queue_.end() && count < 16; ++it, ++count) {
      iov[count].iov_base = it->data() + offset;
      iov[count].iov_len = it->size() - offset;
      offset = 0;
    }
    ssize_t n;
    if (shared_fd_) {
      msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = static_cast<size_t>(count);
      n = ::sendmsg(out_fd(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
      n = ::writev(out_fd(), iov, count);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      hang_up();
      return;
    }
    size_t left = static_cast<size_t>(n);
    backlog_ -= left;
    while (left > 0) {
      const size_t in_head = queue_.front().size() - head_offset_;
      if (left >= in_head) {
        left -= in_head;
        queue_.pop_front();
        head_offset_ = 0;
      } else {
        head_offset_ += left;
        left = 0;
      }
    }
  }
  update_events();
}

void LineConnection::hang_up() {
  if (closed_) return;
  closed_ = true;
  input_open_ = false;
  queue_.clear();
  backlog_ = 0;
  loop_.unwatch(in_.get());
  if (out_.valid()) loop_.unwatch(out_.get());
  handlers_.on_hangup();
}

}  // namespace sbx::rpc
