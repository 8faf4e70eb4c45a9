// Run directories made and removed in the background, not while a caller waits.
//
// Creating and removing a directory tree costs a busy filesystem more than the sandbox itself
// on some hosts (ext4 without a journal scans past every recently deleted inode to make one),
// and a run needs two of each. The pool keeps a few directories ready, never used before, and
// takes spent ones away to remove them later, so a request finds its directory made and its
// answer is not held back by the cleanup. Nothing is ever reused: a sandbox could have left
// anything in a directory it wrote to.
//
// The work happens on a thread of its own at SCHED_IDLE, so that it only ever uses a CPU
// nothing else wants: done on the event loop's thread, it delayed the very worker it was
// making room for. The thread only touches the filesystem and the two queues below. It also
// removes the directories a killed front end left in the same root
// (rpc/abandoned_run_directories.h), first thing and then now and again, with or without
// directories to keep ready: agents' `sbx rpc` processes may share a root with a long-lived
// `sbx serve`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "rpc/run_directory.h"

namespace sbx::rpc {

class RunDirectoryPool {
 public:
  static constexpr std::chrono::minutes kSweepAbandonedEvery{10};

  // Keeps up to `keep_ready` fresh directories in `root` (none: taking and removing happen
  // inline, so that a front end killed between runs leaves nothing).
  RunDirectoryPool(std::string root, size_t keep_ready,
                   std::chrono::milliseconds sweep_every = kSweepAbandonedEvery);
  RunDirectoryPool(const RunDirectoryPool&) = delete;
  RunDirectoryPool& operator=(const RunDirectoryPool&) = delete;
  // Stops the thread, then removes every directory still held, ready or spent.
  ~RunDirectoryPool();

  // A fresh directory: a ready one, or one made now (its error is then the caller's).
  Result<RunDirectory> take();
  // A directory whose run is over. It is removed in the background; at once when too many
  // already wait (a machine that is never idle must not collect them without bound).
  void retire(RunDirectory dir);

 private:
  void work(std::stop_token stop);
  // The thread never logs (the logger is not thread-safe); the loop's thread logs for it.
  void log_problems();

  const std::string root_;
  const size_t keep_ready_;
  const std::chrono::milliseconds sweep_every_;
  const std::optional<SandboxOwner> owner_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<RunDirectory> ready_;  // guarded by mutex_
  std::deque<RunDirectory> spent_;  // guarded by mutex_
  bool refill_failed_ = false;      // guarded by mutex_; until a take() succeeds again
  std::vector<std::string> removal_failures_;  // guarded by mutex_
  std::optional<std::string> refill_failure_;  // guarded by mutex_
  size_t abandoned_removed_ = 0;               // guarded by mutex_; not yet logged
  std::jthread thread_;             // last: it starts once everything above exists
};

}  // namespace sbx::rpc
