// A single-threaded poll(2) loop: descriptor watches, timers and deferred calls. Every front
// end (sbx rpc, sbx mcp, sbx serve) runs on one. The only other thread is the run-directory
// housekeeping (rpc/run_directory_pool.h), which never touches the loop.
//
// Handlers may add or remove watches and timers freely. Objects that own watches should be
// destroyed from a deferred call, never from inside one of their own handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "base/result.h"

namespace sbx::rpc {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using FdHandler = std::function<void(short revents)>;
  using TimerId = uint64_t;

  // Watches `fd` for `events` (POLLIN, POLLOUT; POLLHUP and POLLERR always report). Replaces
  // an existing watch of the same fd.
  void watch(int fd, short events, FdHandler handler);
  void set_events(int fd, short events);
  // A paused watch is left out of poll entirely (not even POLLHUP wakes it).
  void set_paused(int fd, bool paused);
  void unwatch(int fd);
  bool watching(int fd) const { return watches_.count(fd) != 0; }

  TimerId after(Clock::duration delay, std::function<void()> fn);
  void cancel(TimerId id);

  // Runs `fn` once the current round of handlers is done.
  void defer(std::function<void()> fn);
  // Runs before every poll, e.g. to recompute which watches are paused.
  void before_poll(std::function<void()> fn);

  // One round: waits for activity (at most until the next timer, or `max_wait`), then runs
  // the handlers, due timers and deferred calls.
  Status run_once(std::optional<Clock::duration> max_wait = std::nullopt);

 private:
  struct Watch {
    short events = 0;
    bool paused = false;
    uint64_t generation = 0;
    FdHandler handler;
  };
  void run_deferred();

  std::map<int, Watch> watches_;
  uint64_t next_generation_ = 1;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, Clock::time_point> timer_index_;
  TimerId next_timer_ = 1;
  std::vector<std::function<void()>> deferred_;
  std::vector<std::function<void()>> before_poll_;
};

}  // namespace sbx::rpc
