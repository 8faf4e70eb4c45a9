// A worker: this binary running `sbx exec` for one run, as a child process. The event loop that
// starts it may handle many clients, so sandboxes are never cloned from it directly; the worker
// is a fresh, single-threaded process that clones the sandbox itself.
//
// The worker dies with its parent (PR_SET_PDEATHSIG), and the sandbox dies with the worker, so
// nothing a run started can outlive the server, however the server ends.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::rpc {

struct WorkerStdio {
  int stdin_fd = -1;   // -1: /dev/null
  int stdout_fd = -1;  // required
  int stderr_fd = -1;  // required
  int fd3 = -1;        // optional descriptors 3 and 4 in the worker
  int fd4 = -1;
};

class WorkerProcess {
 public:
  // fork + execve. The descriptors in `stdio` are duplicated into place; everything else the
  // server holds is closed in the worker.
  static Result<WorkerProcess> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                     const WorkerStdio& stdio);
  WorkerProcess(WorkerProcess&& other) noexcept;
  WorkerProcess& operator=(WorkerProcess&&) = delete;
  WorkerProcess(const WorkerProcess&) = delete;
  // Kills and reaps a worker that was not reaped yet.
  ~WorkerProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }  // readable once the worker has exited
  bool reaped() const { return reaped_; }

  void signal(int sig) noexcept;
  // Collects the exit status once pidfd() is readable: the wait status (as from waitpid).
  Result<int> reap();

 private:
  WorkerProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  bool reaped_ = false;
};

// The exit status `sbx exec` would give its shell from a wait status: the code, or 128+signal.
int exit_status_of(int wait_status);

}  // namespace sbx::rpc
