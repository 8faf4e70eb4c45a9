// The cgroup of one run: created with its limits before the sandbox starts (the sandbox is born
// inside it with CLONE_INTO_CGROUP, so nothing runs unlimited even for a moment), read for the
// verdict, and at the end emptied with cgroup.kill and removed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::cgroup {

struct Limits {
  std::optional<uint64_t> memory_bytes;  // memory.max; swap off; the whole cgroup OOM-killed together
  std::optional<uint64_t> pids;          // pids.max
  std::optional<double> cpus;            // cpu.max quota over a 100 ms period
};

struct Stats {
  bool oom_killed = false;  // memory.events oom_kill / oom_group_kill
  std::optional<uint64_t> memory_peak;
  std::optional<uint64_t> cpu_user_us;
  std::optional<uint64_t> cpu_system_us;
  std::optional<uint64_t> pids_peak;
};

class RunCgroup {
 public:
  static Result<RunCgroup> create(const std::string& parent, const Limits& limits);
  RunCgroup(RunCgroup&& other) noexcept;
  RunCgroup& operator=(RunCgroup&&) = delete;
  ~RunCgroup();

  const std::string& path() const { return path_; }
  // For clone3's CLONE_INTO_CGROUP.
  int dir_fd() const { return dir_.get(); }
  Stats stats() const;
  // Kills everything in the cgroup, waits until it is empty and removes it. Idempotent.
  void remove();

 private:
  RunCgroup(std::string path, UniqueFd dir) : path_(std::move(path)), dir_(std::move(dir)) {}
  std::string path_;
  UniqueFd dir_;
};

// Kills whatever is in the cgroup at `path` (cgroup.kill, else freeze and SIGKILL each process),
// waits up to a few seconds for it to empty, then removes it and any empty children.
void kill_and_remove(const std::string& path);

// "50000 100000" for 0.5 CPUs.
std::string cpu_max_value(double cpus);

}  // namespace sbx::cgroup
