// One run in flight: its private directory, its worker, and the pipes between them. Feeds the
// request's stdin to the worker, collects the verdict (and, for streamed runs, passes output
// chunks on as they come), and reports the end exactly once.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "rpc/event_loop.h"
#include "rpc/jsonrpc.h"
#include "rpc/run_directory.h"
#include "rpc/run_directory_pool.h"
#include "rpc/run_request.h"
#include "rpc/standby_workers.h"
#include "rpc/worker_command.h"
#include "rpc/worker_handoff.h"
#include "rpc/worker_process.h"

namespace sbx::rpc {

enum class OutputStream { kStdout, kStderr };
const char* stream_name(OutputStream stream);

struct RunEnd {
  std::optional<Json> verdict;  // when the worker produced one
  int exit_status = 125;        // what `sbx exec` itself exited with
  int error_code = 0;           // without a verdict: kRunFailed, kCancelled or kBusy
  std::string error_message;
  std::string stderr_tail;      // the worker's last words, for error data
  double duration_ms = 0;       // from start to end, queue time excluded
};

struct RunCallbacks {
  // Streamed runs: output as it arrives. UTF-8 sequences are never split across two calls.
  std::function<void(OutputStream, std::string_view)> on_output;
  // Exactly once, always from a deferred call (never inside submit or cancel).
  std::function<void(RunEnd)> on_end;
  // While true, the run's output is not read (the client is not keeping up); the program then
  // blocks writing rather than sbx buffering without bound.
  std::function<bool()> output_blocked;
};

// Server-wide settings for starting workers.
struct RunSettings {
  std::string worker_binary = "/proc/self/exe";
  std::string run_root = "/tmp";  // where private run directories are made
  std::string shared_workspace;   // when set: bound at /workspace for every run instead
  size_t directories_ahead = 0;   // run directories kept ready (at most one per concurrent run)
  size_t workers_ahead = 0;       // standby workers kept ready (at most one per concurrent run)
  std::vector<std::string> passthrough_env;
  std::string cgroup_parent;  // when set: --cgroup-parent of every worker (adopt_own_cgroup_for_runs)
  std::chrono::milliseconds cancel_grace{2000};  // SIGTERM -> SIGKILL for cancel and disconnect
  std::chrono::milliseconds drain_pipes{2000};   // after the worker exits, wait this long for EOF
};

class RunJob {
 public:
  RunJob(EventLoop& loop, const RunSettings& settings, RunDirectoryPool& directories, StandbyWorkers& workers,
         RunRequest request, RunCallbacks callbacks);
  RunJob(const RunJob&) = delete;
  RunJob& operator=(const RunJob&) = delete;
  ~RunJob();

  // Prepares the directory and starts the worker; on failure the run ends with kRunFailed.
  void start();
  // SIGTERM-style signal now, SIGKILL after `grace` if the worker is still there.
  void cancel(int sig, std::chrono::milliseconds grace, int error_code, std::string reason);
  // Sends `sig` to the worker (it forwards it into the sandbox). False if it has ended.
  bool signal(int sig);
  // Ends a run that never started (cancelled in the queue, or refused at shutdown).
  void abandon(RunEnd end) { finish(std::move(end)); }
  bool finished() const { return finished_; }
  bool started() const { return worker_.has_value(); }
  // The worker's pid while it is this job's to reap.
  std::optional<pid_t> worker_pid() const {
    if (!worker_ || worker_->reaped()) return std::nullopt;
    return worker_->pid();
  }
  // Applies output_blocked(): pauses or resumes reading the program's output.
  void update_backpressure();

 private:
  Status prepare_and_spawn();
  void watch_worker();
  void on_handoff(short revents);
  // The standby worker acknowledged its job (or a fresh worker has it): the run is its own.
  void release_handoff();
  // The standby worker ended without acknowledging its job: a fresh worker gets the same run.
  Status restart_unacknowledged();
  void on_pipe(int which, short revents);
  void on_stdin(short revents);
  void on_worker_exit();
  void close_pipe(int which);
  void arm_drain_timer();
  void finish_if_done();
  void finish(RunEnd end);
  void emit(OutputStream stream, std::string_view bytes, bool final);
  size_t verdict_budget() const;

  EventLoop& loop_;
  const RunSettings& settings_;
  RunDirectoryPool& directories_;
  StandbyWorkers& workers_;
  RunRequest request_;
  RunCallbacks callbacks_;
  std::optional<RunDirectory> dir_;
  std::optional<WorkerProcess> worker_;
  // While a standby worker has not acknowledged its job (rpc/worker_handoff.h): the hand-off
  // socket, the command, and the server's copies of the worker's descriptors 0-4, so that a
  // fresh worker can be given the very same run.
  UniqueFd handoff_;
  bool handoff_watched_ = false;
  std::optional<WorkerCommand> handoff_command_;
  std::array<UniqueFd, kWorkerJobFds> handoff_fds_;  // by target descriptor
  // 0 stdout, 1 stderr, 2 report (streamed runs).
  UniqueFd pipes_[3];
  std::string held_[2];  // an incomplete UTF-8 sequence per stream, waiting for its end
  UniqueFd stdin_;
  size_t stdin_written_ = 0;
  std::string verdict_text_;
  std::string stderr_tail_;
  std::optional<int> wait_status_;
  std::chrono::steady_clock::time_point started_at_;
  std::optional<EventLoop::TimerId> kill_timer_;
  std::optional<EventLoop::TimerId> drain_timer_;
  std::optional<EventLoop::TimerId> deadline_timer_;
  int cancel_code_ = 0;
  bool signalled_ = false;  // the server signalled the worker: its end is not a hand-off failure
  std::string cancel_reason_;
  bool paused_ = false;
  bool finished_ = false;
};

}  // namespace sbx::rpc
