// Workers started ahead of their runs (the service's warm pool). A worker is this binary
// running `sbx exec`; starting one (vfork, execve of sbx, its start-up) is time a caller waits
// for on every run. A standby worker has done all that already and waits, blocked, for one job
// (rpc/worker_handoff.h); it then runs exactly the `sbx exec` a freshly spawned worker would.
//
// A standby worker holds nothing of any run: no directory, no request data, no descriptor but
// its end of the hand-off socket and /dev/null. It is used once. It dies with the server
// (PR_SET_PDEATHSIG, as every worker), and leaves by itself when the server closes its socket.
// When no standby worker is ready, or handing over fails, the run gets a fresh worker as before;
// so does a run whose standby worker dies before acknowledging the job (RunJob retries it).
#pragma once

#include <deque>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "rpc/worker_command.h"
#include "rpc/worker_process.h"

namespace sbx::rpc {

// The hidden command a standby worker runs: `sbx __standby-worker` (app/standby_worker_cmd.cc).
inline constexpr const char* kStandbyWorkerCommand = "__standby-worker";
// The descriptor a standby worker finds its end of the hand-off socket on.
inline constexpr int kStandbyJobFd = 3;

struct StartedWorker {
  WorkerProcess process;
  // For a standby worker: the server's end of the hand-off, which the worker's acknowledgement
  // of the job arrives on (rpc/worker_handoff.h). Invalid for a worker spawned for the run.
  UniqueFd handoff;
};

class StandbyWorkers {
 public:
  // Keeps up to `keep_ready` workers of `binary` waiting, with an empty environment until
  // their job brings one.
  StandbyWorkers(std::string binary, size_t keep_ready);
  StandbyWorkers(const StandbyWorkers&) = delete;
  StandbyWorkers& operator=(const StandbyWorkers&) = delete;
  // Closes every hand-off socket, then kills and reaps whatever standby worker is left.
  ~StandbyWorkers() = default;

  // A worker running `command` with `stdio`: a standby one when one takes the job, else one
  // spawned now.
  Result<StartedWorker> start(const WorkerCommand& command, const WorkerStdio& stdio);
  // Starts standby workers until `keep_ready` wait. Call it where a delay does not hold up a
  // run (the event loop's deferred calls): each costs a vfork and an execve.
  void refill();
  // Lets every standby worker go (a draining server starts no more runs).
  void clear() { ready_.clear(); }
  size_t ready() const { return ready_.size(); }
  bool owns(pid_t pid) const;

 private:
  struct Standby {
    WorkerProcess worker;
    UniqueFd socket;  // the server's end; declared last so it closes before the worker is reaped
  };
  Result<Standby> spawn_standby() const;

  const std::string binary_;
  const size_t keep_ready_;
  std::deque<Standby> ready_;
  bool refill_failed_ = false;  // logged once, until a refill succeeds again
};

}  // namespace sbx::rpc
