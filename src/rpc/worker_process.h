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

#include "base/pidfd_child.h"
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
  // vfork + execve. The descriptors in `stdio` are duplicated into place; everything else the
  // server holds is closed in the worker.
  static Result<WorkerProcess> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                     const WorkerStdio& stdio);
  pid_t pid() const { return process_.pid(); }
  int pidfd() const { return process_.pidfd(); }  // readable once the worker has exited
  bool reaped() const { return process_.reaped(); }

  void signal(int sig) noexcept { process_.signal(sig); }
  // Collects the exit status once pidfd() is readable: the wait status (as from waitpid).
  Result<int> reap();

 private:
  explicit WorkerProcess(PidfdChild process) noexcept : process_(std::move(process)) {}
  PidfdChild process_;  // killed and reaped if not reaped yet
};

// The exit status `sbx exec` would give its shell from a wait status: the code, or 128+signal.
int exit_status_of(int wait_status);

}  // namespace sbx::rpc
