// How a run reaches a standby worker (rpc/standby_workers.h): one datagram on a private
// SOCK_SEQPACKET pair, carrying the worker's command line and environment, with its descriptors
// 0-4 attached (SCM_RIGHTS). The worker then is exactly what WorkerProcess::spawn would have
// started with that command, only without paying for the execve on the caller's time.
//
// The worker answers with one byte as soon as it holds the job, before it does anything with
// it. A worker that dies without having answered never started the run, so the server can give
// the run to another worker; one that answered may have, so its death ends the run.
//
// The payload is NUL-terminated fields: the magic, a mask of the descriptors attached (bit i:
// descriptor i), the argument count, the arguments, then the environment.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "rpc/worker_command.h"
#include "rpc/worker_process.h"

namespace sbx::rpc {

// Larger jobs (a huge environment) go to a freshly spawned worker instead.
inline constexpr size_t kMaxWorkerJobBytes = 64 * 1024;
inline constexpr int kWorkerJobFds = 5;

struct WorkerJob {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  unsigned fd_mask = 0;  // which of descriptors 0-4 come with the job
};

std::string encode_worker_job(const WorkerJob& job);
// Names what is wrong with a payload that is not one encode_worker_job made.
Result<WorkerJob> decode_worker_job(std::string_view payload);

// The job for `command`, with the descriptors of `stdio` that are >= 0.
WorkerJob make_worker_job(const WorkerCommand& command, const WorkerStdio& stdio);

// Sends an encoded job with the descriptors of `stdio` its mask names. Never blocks and never
// raises SIGPIPE: a standby worker that has died makes this fail with its errno.
Status send_worker_job(int socket_fd, std::string_view payload, const WorkerStdio& stdio);

struct ReceivedWorkerJob {
  WorkerJob job;
  std::array<UniqueFd, kWorkerJobFds> fds;  // by target descriptor; invalid where not sent
};

// Blocks until the job arrives. nullopt: the server closed its end without sending one.
Result<std::optional<ReceivedWorkerJob>> receive_worker_job(int socket_fd);

// The worker's answer once it holds its job. Never raises SIGPIPE.
Status acknowledge_worker_job(int socket_fd);
// Whether the worker has answered; never blocks. Once the worker has exited, false means it
// died before it held the job.
bool worker_job_acknowledged(int socket_fd);

}  // namespace sbx::rpc
