#include "rpc/event_loop.h"

#include <poll.h>

namespace sbx::rpc {

void EventLoop::watch(int fd, short events, FdHandler handler) {
  Watch& w = watches_[fd];
  w.events = events;
  w.paused = false;
  w.generation = next_generation_++;
  w.handler = std::move(handler);
}

void EventLoop::set_events(int fd, short events) {
  if (auto it = watches_.find(fd); it != watches_.end()) it->second.events = events;
}

void EventLoop::set_paused(int fd, bool paused) {
  if (auto it = watches_.find(fd); it != watches_.end()) it->second.paused = paused;
}

void EventLoop::unwatch(int fd) { watches_.erase(fd); }

EventLoop::TimerId EventLoop::after(Clock::duration delay, std::function<void()> fn) {
  const TimerId id = next_timer_++;
  const auto when = Clock::now() + delay;
  timers_.emplace(std::pair{when, id}, std::move(fn));
  timer_index_.emplace(id, when);
  return id;
}

void EventLoop::cancel(TimerId id) {
  const auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return;
  timers_.erase(std::pair{it->second, id});
  timer_index_.erase(it);
}

void EventLoop::defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }

void EventLoop::before_poll(std::function<void()> fn) { before_poll_.push_back(std::move(fn)); }

void EventLoop::run_deferred() {
  // Deferred calls may defer more; run until none are left.
  while (!deferred_.empty()) {
    auto batch = std::move(deferred_);
    deferred_.clear();
    for (auto& fn : batch) fn();
  }
}

Status EventLoop::run_once(std::optional<Clock::duration> max_wait) {
  run_deferred();
  for (auto& fn : before_poll_) fn();
  std::vector<pollfd> fds;
  std::vector<uint64_t> generations;
  fds.reserve(watches_.size());
  for (const auto& [fd, w] : watches_) {
    if (w.paused) continue;
    fds.push_back({fd, w.events, 0});
    generations.push_back(w.generation);
  }
  int timeout_ms = -1;
  const auto now = Clock::now();
  std::optional<Clock::duration> wait = max_wait;
  if (!timers_.empty()) {
    const auto until_timer = timers_.begin()->first.first - now;
    if (!wait || until_timer < *wait) wait = until_timer;
  }
  if (wait) {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait).count();
    timeout_ms = static_cast<int>(std::clamp<int64_t>(ms, 0, 60'000));
  }
  const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  if (ready < 0 && errno != EINTR) return errno_error("poll");
  for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
    if (fds[i].revents == 0) continue;
    const auto it = watches_.find(fds[i].fd);
    // Removed, or replaced by a new watch of a reused fd, by an earlier handler this round.
    if (it == watches_.end() || it->second.generation != generations[i]) continue;
    FdHandler handler = it->second.handler;  // the handler may unwatch (and so destroy) itself
    handler(fds[i].revents);
  }
  const auto fire_until = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= fire_until) {
    auto node = timers_.extract(timers_.begin());
    timer_index_.erase(node.key().second);
    node.mapped()();
  }
  run_deferred();
  return {};
}

}  // namespace sbx::rpc
