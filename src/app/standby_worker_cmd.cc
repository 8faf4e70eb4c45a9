// `sbx __standby-worker`: a worker of sbx serve, rpc or mcp started before its run
// (rpc/standby_workers.h). It waits for one job on descriptor 3, puts the job's descriptors
// and environment in place, and runs the job's `sbx exec` in this process, as a worker spawned
// with that command line would have.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "app/app.h"
#include "rpc/standby_workers.h"
#include "rpc/worker_handoff.h"
#include "sys/descriptor_placement.h"

namespace sbx::app {
namespace {

// Descriptors 0-4 become the job's; those it did not send stay /dev/null (0-2, as spawned) or
// are closed (3, 4: never let a leftover pose as the report or secrets descriptor).
bool install_descriptors(std::array<UniqueFd, rpc::kWorkerJobFds>& fds) {
  std::array<int, rpc::kWorkerJobFds> sources;
  for (int i = 0; i < rpc::kWorkerJobFds; ++i) {
    sources[i] = fds[i].valid() ? fds[i].release() : (i < 3 ? i : -1);
  }
  return sys::place_descriptors(sources);
}

void set_environment(const std::vector<std::string>& env) {
  ::clearenv();
  for (const auto& entry : env) {
    const size_t eq = entry.find('=');  // decode_worker_job checked there is one
    ::setenv(entry.substr(0, eq).c_str(), entry.c_str() + eq + 1, 1);
  }
}

}  // namespace

int run_standby_worker(std::span<const std::string> args, const GlobalOptions& global) {
  (void)global;
  struct stat st;
  if (!args.empty() || ::fstat(rpc::kStandbyJobFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    std::fprintf(stderr, "sbx: error: %s is started by sbx serve, rpc and mcp, not by hand\n",
                 rpc::kStandbyWorkerCommand);
    return kExitUsage;
  }
  UniqueFd socket(rpc::kStandbyJobFd);
  // Until the job's descriptors are in place, descriptor 2 is /dev/null and a failure shows only
  // in the exit status: the server passes over a worker that is gone when a job comes
  // (StandbyWorkers::start) and gives the run to a fresh worker when this one ends without
  // acknowledging it (RunJob); a run whose job this worker fails on after that ends as one whose
  // worker failed to start.
  auto received = rpc::receive_worker_job(socket.get());
  if (!received) return kExitUsage;
  if (!received->has_value()) return 0;  // the server closed the pool without a job
  // Before anything of the job is touched: until this arrives, the server may still give the
  // run to another worker if this one dies.
  (void)rpc::acknowledge_worker_job(socket.get());
  socket.reset();
  rpc::ReceivedWorkerJob& job = **received;
  if (!install_descriptors(job.fds)) return kExitUsage;
  const std::vector<std::string>& argv = job.job.argv;
  if (argv.size() < 2 || argv[1] != "exec") {
    std::fprintf(stderr, "sbx: error: a standby worker only runs `sbx exec` jobs\n");
    return kExitUsage;
  }
  set_environment(job.job.env);
  return run_exec(std::span<const std::string>(argv).subspan(2), GlobalOptions{});
}

}  // namespace sbx::app
