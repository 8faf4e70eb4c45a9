#include "rpc/standby_workers.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "rpc/worker_handoff.h"

namespace sbx::rpc {

StandbyWorkers::StandbyWorkers(std::string binary, size_t keep_ready)
    : binary_(std::move(binary)), keep_ready_(keep_ready) {}

Result<StandbyWorkers::Standby> StandbyWorkers::spawn_standby() const {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return errno_error("socketpair");
  UniqueFd ours(pair[0]);
  UniqueFd theirs(pair[1]);
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) return errno_error("open /dev/null");
  WorkerStdio stdio;
  stdio.stdout_fd = null.get();
  stdio.stderr_fd = null.get();
  stdio.fd3 = theirs.get();
  static_assert(kStandbyJobFd == 3);
  SBX_ASSIGN_OR_RETURN(WorkerProcess worker, WorkerProcess::spawn({binary_, kStandbyWorkerCommand}, {}, stdio));
  return Standby{std::move(worker), std::move(ours)};
}

bool StandbyWorkers::owns(pid_t pid) const {
  for (const auto& standby : ready_) {
    if (standby.worker.pid() == pid) return true;
  }
  return false;
}

void StandbyWorkers::refill() {
  while (ready_.size() < keep_ready_) {
    auto standby = spawn_standby();
    if (!standby) {
      if (!refill_failed_) spdlog::warn("rpc: cannot start a standby worker: {}", standby.error().message);
      refill_failed_ = true;
      return;
    }
    refill_failed_ = false;
    ready_.push_back(std::move(*standby));
  }
}

Result<StartedWorker> StandbyWorkers::start(const WorkerCommand& command, const WorkerStdio& stdio) {
  const std::string payload = encode_worker_job(make_worker_job(command, stdio));
  while (!ready_.empty() && payload.size() <= kMaxWorkerJobBytes) {
    Standby standby = std::move(ready_.front());
    ready_.pop_front();
    // A standby worker that died meanwhile (killed from outside) refuses the job: EPIPE or
    // ECONNREFUSED. Letting its Standby go reaps it.
    if (auto sent = send_worker_job(standby.socket.get(), payload, stdio); !sent) {
      spdlog::debug("rpc: standby worker pid {} did not take the job: {}", standby.worker.pid(), sent.error().message);
      continue;
    }
    spdlog::debug("run: standby worker pid {} was sent the job", standby.worker.pid());
    return StartedWorker{std::move(standby.worker), std::move(standby.socket)};
  }
  SBX_ASSIGN_OR_RETURN(WorkerProcess spawned, WorkerProcess::spawn(command.argv, command.env, stdio));
  return StartedWorker{std::move(spawned), UniqueFd()};
}

}  // namespace sbx::rpc
