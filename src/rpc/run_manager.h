// Admission and scheduling of runs: at most `max_running` workers at once, then a bounded FIFO
// queue, then an immediate "busy" refusal, so memory never grows with demand. Also per-caller
// in-flight limits, cancellation, and the drain on shutdown.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "rpc/event_loop.h"
#include "rpc/run_directory_pool.h"
#include "rpc/run_job.h"

namespace sbx::rpc {

struct Admission {
  size_t max_running = 4;
  size_t max_queued = 64;
};

class RunManager {
 public:
  using Ticket = uint64_t;

  RunManager(EventLoop& loop, RunSettings settings, Admission admission);
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;
  ~RunManager();

  // Starts the run at once, or queues it. Errors (all "busy"): the queue is full, the caller
  // already has `caller_max` runs in flight, or the manager is draining.
  Result<Ticket> submit(RunRequest request, const std::string& caller, size_t caller_max, RunCallbacks callbacks);

  // A queued run ends at once with `error_code`; a running one gets `sig`, then SIGKILL after
  // the grace. False if the ticket is unknown or already ended.
  bool cancel(Ticket ticket, int sig, std::chrono::milliseconds grace, int error_code, const std::string& reason);

  // Passes `sig` to a running worker, which forwards it to the program (no escalation).
  bool signal(Ticket ticket, int sig);

  // Refuse new runs from now on; queued runs end with `reason`.
  void stop_accepting(const std::string& reason);
  // SIGKILL every running worker (the drain deadline passed).
  void kill_running(const std::string& reason);
  // A session's client went away: its runs (by the session's request keys) are cancelled, TERM
  // then KILL after a second, and answer with kCancelled to nobody.
  void cancel_disconnected(const std::map<std::string, Ticket>& runs);
  // Cancels every run, queued or running (sbx rpc/mcp on SIGTERM).
  void cancel_all(int sig, std::chrono::milliseconds grace, int error_code, const std::string& reason);

  size_t running() const { return running_; }
  size_t queued() const { return queue_.size(); }
  size_t in_flight() const { return jobs_.size(); }
  size_t in_flight_for(const std::string& caller) const;
  const Admission& admission() const { return admission_; }
  bool accepting() const { return accepting_; }

 private:
  struct Entry {
    std::unique_ptr<RunJob> job;
    std::string caller;
    bool started = false;
  };
  void start_next();
  // Tops the standby workers up once the current round of the loop is done.
  void refill_workers_soon();
  // Reaps the runs' inits that came here (rpc/orphan_reaper.h) after `delay`, and again while
  // any is still tearing its sandbox down.
  void reap_orphans_after(std::chrono::milliseconds delay);
  // A child a job or the standby workers will reap.
  bool owns_child(pid_t pid) const;
  void on_end(Ticket ticket, RunEnd end, std::function<void(RunEnd)> user_on_end);

  EventLoop& loop_;
  RunSettings settings_;
  Admission admission_;
  RunDirectoryPool directories_;  // outlives the jobs, which hand their directories back
  StandbyWorkers workers_;
  std::map<Ticket, Entry> jobs_;
  std::deque<Ticket> queue_;
  std::map<std::string, size_t> per_caller_;
  size_t running_ = 0;
  Ticket next_ticket_ = 1;
  bool accepting_ = true;
  bool refill_pending_ = false;
  std::optional<EventLoop::TimerId> orphan_timer_;
  std::string refusal_;
};

}  // namespace sbx::rpc
