#include "rpc/stdio_server.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "rpc/line_connection.h"
#include "rpc/shutdown_signals.h"

namespace sbx::rpc {
namespace {

constexpr size_t kOutputHighWater = 1u << 20;
constexpr auto kFlushLimit = std::chrono::seconds(30);

// O_NONBLOCK on stdout for the session, restored afterwards: the open file description may be
// shared with whoever started sbx.
class NonBlocking {
 public:
  explicit NonBlocking(int fd) : fd_(fd), flags_(::fcntl(fd, F_GETFL)) {
    if (flags_ >= 0 && ::isatty(fd) == 0) ::fcntl(fd, F_SETFL, flags_ | O_NONBLOCK);
  }
  ~NonBlocking() {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_);
  }
  NonBlocking(const NonBlocking&) = delete;
  NonBlocking& operator=(const NonBlocking&) = delete;

 private:
  int fd_;
  int flags_;
};

}  // namespace

int serve_stdio(Service& service, const SessionFactory& make_session) {
  auto signals = install_shutdown_signals();
  if (!signals) {
    spdlog::error("{}", signals.error().message);
    return 125;
  }
  UniqueFd in(::fcntl(0, F_DUPFD_CLOEXEC, 3));
  UniqueFd out(::fcntl(1, F_DUPFD_CLOEXEC, 3));
  if (!in.valid() || !out.valid()) {
    spdlog::error("stdin and stdout must be open");
    return 125;
  }
  const NonBlocking nonblocking(out.get());
  EventLoop& loop = service.loop;
  bool input_done = false;
  bool gone = false;
  bool stopping = false;
  std::unique_ptr<LineSession> session;
  ConnectionHandlers handlers;
  handlers.on_line = [&session](std::string line) { session->handle_line(line); };
  handlers.on_oversized = [&session](size_t bytes) { session->handle_oversized(bytes); };
  handlers.on_input_end = [&input_done] { input_done = true; };
  handlers.on_hangup = [&gone, &session] {
    gone = true;
    session->disconnect();
  };
  LineConnection connection(loop, std::move(in), std::move(out), service.max_line_bytes, std::move(handlers));
  session = make_session([&connection](std::string line) { connection.send(std::move(line)); },
                         [&connection] { return connection.backlog() > kOutputHighWater; });

  loop.watch(signals->fd(), POLLIN, [&](short) {
    const int sig = signals->read_one();
    if (sig == 0) return;
    service.draining = true;
    if (!stopping) {
      stopping = true;
      spdlog::info("signal {}: cancelling {} runs", sig, service.runs.in_flight());
      connection.stop_reading();
      service.runs.stop_accepting("sbx is shutting down");
      service.runs.cancel_all(SIGTERM, std::chrono::seconds(2), kCancelled, "sbx is shutting down");
    } else {
      service.runs.kill_running("sbx is shutting down");
    }
  });

  std::optional<EventLoop::Clock::time_point> flush_deadline;
  while (true) {
    const bool done_reading = input_done || stopping || gone;
    if (done_reading && service.runs.in_flight() == 0) {
      if (gone || connection.closed() || connection.backlog() == 0) break;
      if (!flush_deadline) flush_deadline = EventLoop::Clock::now() + kFlushLimit;
      if (EventLoop::Clock::now() >= *flush_deadline) {
        spdlog::warn("the client read nothing for {}s; {} bytes of replies dropped",
                     std::chrono::duration_cast<std::chrono::seconds>(kFlushLimit).count(), connection.backlog());
        break;
      }
    }
    if (auto ran = loop.run_once(std::chrono::seconds(1)); !ran) {
      spdlog::error("{}", ran.error().message);
      return 125;
    }
  }
  loop.unwatch(signals->fd());
  session.reset();
  return 0;
}

}  // namespace sbx::rpc
