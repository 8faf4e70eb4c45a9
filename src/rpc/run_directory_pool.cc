#include "rpc/run_directory_pool.h"

#include <sched.h>
#include <signal.h>

#include <chrono>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>

#include "rpc/abandoned_run_directories.h"

namespace sbx::rpc {
namespace {

// Beyond this many spent directories waiting, retire() removes at once.
constexpr size_t kMaxSpent = 16;

// An unlocked run directory younger than this may be one whose owner has not locked it yet.
constexpr std::chrono::seconds kAbandonedAfter{60};

}  // namespace

RunDirectoryPool::RunDirectoryPool(std::string root, size_t keep_ready, std::chrono::milliseconds sweep_every)
    : root_(std::move(root)), keep_ready_(keep_ready), sweep_every_(sweep_every), owner_(sandbox_owner()) {
  // The thread starts with every signal blocked, so that SIGTERM and the like still reach the
  // loop's signalfd (or their default action) and never this thread.
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  thread_ = std::jthread([this](std::stop_token stop) { work(stop); });
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

RunDirectoryPool::~RunDirectoryPool() {
  if (thread_.joinable()) {
    // The thread's wait takes the stop token: request_stop wakes it.
    thread_.request_stop();
    thread_.join();
  }
  log_problems();
  // ready_ and spent_ remove their directories as they are destroyed.
}

void RunDirectoryPool::log_problems() {
  std::vector<std::string> failures;
  std::optional<std::string> refill;
  size_t swept = 0;
  {
    std::lock_guard lock(mutex_);
    failures.swap(removal_failures_);
    refill.swap(refill_failure_);
    swept = std::exchange(abandoned_removed_, 0);
  }
  for (const auto& f : failures) spdlog::warn("{}", f);
  if (refill) spdlog::debug("run directories: {}", *refill);
  if (swept > 0) {
    spdlog::info("removed {} run director{} in {} left by a front end that was killed", swept, swept == 1 ? "y" : "ies",
                 root_);
  }
}

Result<RunDirectory> RunDirectoryPool::take() {
  log_problems();
  {
    std::lock_guard lock(mutex_);
    if (!ready_.empty()) {
      RunDirectory dir = std::move(ready_.front());
      ready_.pop_front();
      wake_.notify_one();
      return dir;
    }
  }
  auto made = RunDirectory::create(root_, owner_);
  if (made && keep_ready_ > 0) {
    std::lock_guard lock(mutex_);
    refill_failed_ = false;
    wake_.notify_one();
  }
  return made;
}

void RunDirectoryPool::retire(RunDirectory dir) {
  log_problems();
  if (keep_ready_ == 0) return;  // `dir` is removed here, as it goes out of scope
  std::unique_lock lock(mutex_);
  if (spent_.size() >= kMaxSpent) {
    lock.unlock();
    return;
  }
  spent_.push_back(std::move(dir));
  wake_.notify_one();
}

// The filesystem work happens outside the lock: the event loop's thread must never wait for
// a SCHED_IDLE thread that the scheduler has set aside.
void RunDirectoryPool::work(std::stop_token stop) {
  const sched_param idle{};
  const int lowered = ::sched_setscheduler(0, SCHED_IDLE, &idle) == 0 ? 0 : errno;
  std::unique_lock lock(mutex_);
  if (lowered != 0) refill_failure_ = std::string("cannot run the work ahead at SCHED_IDLE: ") + std::strerror(lowered);
  auto next_sweep = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    if (std::chrono::steady_clock::now() >= next_sweep) {
      lock.unlock();
      auto swept = remove_abandoned_run_directories(root_, kAbandonedAfter);
      lock.lock();
      abandoned_removed_ += swept.removed;
      for (auto& failure : swept.failures) removal_failures_.push_back(std::move(failure));
      next_sweep = std::chrono::steady_clock::now() + sweep_every_;
    } else if (!spent_.empty()) {
      RunDirectory dir(std::move(spent_.front()));
      spent_.pop_front();
      lock.unlock();
      auto removed = dir.remove();
      lock.lock();
      if (!removed) removal_failures_.push_back(std::move(removed).error().message);
    } else if (!refill_failed_ && ready_.size() < keep_ready_) {
      lock.unlock();
      auto made = RunDirectory::create(root_, owner_);
      lock.lock();
      if (made) {
        ready_.push_back(std::move(*made));
      } else {
        refill_failed_ = true;
        refill_failure_ = "cannot prepare one ahead: " + made.error().message;
      }
    } else {
      wake_.wait_until(lock, stop, next_sweep,
                       [this] { return !spent_.empty() || (!refill_failed_ && ready_.size() < keep_ready_); });
    }
  }
}

}  // namespace sbx::rpc
