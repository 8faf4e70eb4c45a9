#include "rpc/run_manager.h"

#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "rpc/jsonrpc.h"
#include "rpc/orphan_reaper.h"

namespace sbx::rpc {

RunManager::RunManager(EventLoop& loop, RunSettings settings, Admission admission)
    : loop_(loop),
      settings_(std::move(settings)),
      admission_(admission),
      directories_(settings_.run_root, std::min(settings_.directories_ahead, admission.max_running)),
      workers_(settings_.worker_binary, std::min(settings_.workers_ahead, admission.max_running)) {
  // The runs' inits come back here instead of to whoever is PID 1 (rpc/orphan_reaper.h).
  if (auto subreaper = become_child_subreaper(); !subreaper) {
    spdlog::warn("rpc: the sandboxes' inits will be left to PID 1 to reap: {}", subreaper.error().message);
  }
  refill_workers_soon();
  loop_.before_poll([this] {
    for (auto& [ticket, entry] : jobs_) {
      if (entry.started) entry.job->update_backpressure();
    }
  });
}

RunManager::~RunManager() {
  if (orphan_timer_) loop_.cancel(*orphan_timer_);
  // Each job's destructor kills and reaps its worker and hands its directory back; the pool
  // then removes every directory as it goes.
  jobs_.clear();
}

size_t RunManager::in_flight_for(const std::string& caller) const {
  const auto it = per_caller_.find(caller);
  return it == per_caller_.end() ? 0 : it->second;
}

Result<RunManager::Ticket> RunManager::submit(RunRequest request, const std::string& caller, size_t caller_max,
                                              RunCallbacks callbacks) {
  if (!accepting_) return make_error(refusal_);
  if (in_flight_for(caller) >= caller_max) {
    return make_error("busy: this caller already has " + std::to_string(caller_max) +
                      " runs in flight, the most it may have; retry when one ends");
  }
  const bool run_now = running_ < admission_.max_running;
  if (!run_now && queue_.size() >= admission_.max_queued) {
    return make_error("busy: " + std::to_string(running_) + " runs are running and " + std::to_string(queue_.size()) +
                      " waiting, the most this service takes; retry later");
  }
  const Ticket ticket = next_ticket_++;
  auto user_on_end = std::move(callbacks.on_end);
  callbacks.on_end = [this, ticket, user_on_end = std::move(user_on_end)](RunEnd end) mutable {
    on_end(ticket, std::move(end), std::move(user_on_end));
  };
  Entry entry;
  entry.job = std::make_unique<RunJob>(loop_, settings_, directories_, workers_, std::move(request), std::move(callbacks));
  entry.caller = caller;
  RunJob* job = entry.job.get();
  jobs_.emplace(ticket, std::move(entry));
  ++per_caller_[caller];
  if (run_now) {
    jobs_[ticket].started = true;
    ++running_;
    job->start();
  } else {
    queue_.push_back(ticket);
  }
  return ticket;
}

void RunManager::on_end(Ticket ticket, RunEnd end, std::function<void(RunEnd)> user_on_end) {
  const auto it = jobs_.find(ticket);
  if (it != jobs_.end()) {
    if (it->second.started) --running_;
    if (--per_caller_[it->second.caller] == 0) per_caller_.erase(it->second.caller);
    std::erase(queue_, ticket);
    // Destroying the job kills nothing now (the worker was reaped). Its directory goes to the
    // pool, which removes it in the background (sbx serve) or at once.
    jobs_.erase(it);
  }
  if (user_on_end) user_on_end(std::move(end));
  start_next();
  // After the answer, not when a run starts: starting a worker then would take CPU time from
  // the run that just took one.
  refill_workers_soon();
  // By now the worker has exited, so its sandbox's init is this process's child; it usually
  // ends within milliseconds.
  reap_orphans_after(std::chrono::milliseconds(20));
}

void RunManager::reap_orphans_after(std::chrono::milliseconds delay) {
  if (orphan_timer_) return;
  orphan_timer_ = loop_.after(delay, [this] {
    orphan_timer_.reset();
    if (reap_orphans([this](pid_t pid) { return owns_child(pid); }) > 0) {
      reap_orphans_after(std::chrono::milliseconds(100));
    }
  });
}

bool RunManager::owns_child(pid_t pid) const {
  if (workers_.owns(pid)) return true;
  for (const auto& [ticket, entry] : jobs_) {
    if (entry.job->worker_pid() == pid) return true;
  }
  return false;
}

void RunManager::refill_workers_soon() {
  if (refill_pending_) return;
  refill_pending_ = true;
  loop_.defer([this] {
    refill_pending_ = false;
    if (accepting_) workers_.refill();
  });
}

void RunManager::start_next() {
  while (accepting_ && running_ < admission_.max_running && !queue_.empty()) {
    const Ticket ticket = queue_.front();
    queue_.pop_front();
    auto it = jobs_.find(ticket);
    if (it == jobs_.end()) continue;
    it->second.started = true;
    ++running_;
    it->second.job->start();
  }
}

bool RunManager::cancel(Ticket ticket, int sig, std::chrono::milliseconds grace, int error_code,
                        const std::string& reason) {
  auto it = jobs_.find(ticket);
  if (it == jobs_.end() || it->second.job->finished()) return false;
  if (!it->second.started) {
    // Never started: nothing to kill. End it through the same path as any other end.
    std::erase(queue_, ticket);
    it->second.started = true;
    ++running_;  // balanced by on_end
    RunEnd end;
    end.error_code = error_code;
    end.error_message = reason;
    it->second.job->abandon(std::move(end));
    return true;
  }
  it->second.job->cancel(sig, grace, error_code, reason);
  return true;
}

bool RunManager::signal(Ticket ticket, int sig) {
  auto it = jobs_.find(ticket);
  if (it == jobs_.end() || !it->second.started || it->second.job->finished()) return false;
  return it->second.job->signal(sig);
}

void RunManager::stop_accepting(const std::string& reason) {
  accepting_ = false;
  refusal_ = "busy: " + reason;
  workers_.clear();
  const auto waiting = queue_;
  for (const Ticket ticket : waiting) cancel(ticket, SIGTERM, std::chrono::milliseconds(0), kBusy, reason);
}

void RunManager::kill_running(const std::string& reason) {
  for (auto& [ticket, entry] : jobs_) {
    if (entry.started) entry.job->cancel(SIGKILL, std::chrono::milliseconds(0), kCancelled, reason);
  }
}

}  // namespace sbx::rpc

namespace sbx::rpc {

void RunManager::cancel_disconnected(const std::map<std::string, Ticket>& runs) {
  for (const auto& [key, ticket] : runs) {
    cancel(ticket, SIGTERM, std::chrono::milliseconds(1000), kCancelled, "the client disconnected");
  }
}

void RunManager::cancel_all(int sig, std::chrono::milliseconds grace, int error_code, const std::string& reason) {
  std::vector<Ticket> tickets;
  for (const auto& [ticket, entry] : jobs_) tickets.push_back(ticket);
  for (const Ticket ticket : tickets) cancel(ticket, sig, grace, error_code, reason);
}

}  // namespace sbx::rpc
