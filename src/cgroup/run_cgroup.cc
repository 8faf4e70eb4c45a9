#include "cgroup/run_cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

#include "base/file_contents.h"
#include "cgroup/cgroup_fs.h"

namespace sbx::cgroup {
namespace {

constexpr uint64_t kCpuPeriodUs = 100000;

bool populated(const std::string& path) {
  auto events = read_file_contents(path + "/cgroup.events");
  if (!events) return false;  // gone
  return keyed_value(*events, "populated").value_or(0) != 0;
}

void kill_each_process(const std::string& path) {
  // Frozen first, so nothing forks between reading cgroup.procs and the kill.
  (void)write_text(path + "/cgroup.freeze", "1");
  if (auto procs = read_file_contents(path + "/cgroup.procs")) {
    for (const auto& pid : split_words(*procs)) ::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL);
  }
  (void)write_text(path + "/cgroup.freeze", "0");
}

void remove_tree(const std::string& path) {
  if (DIR* dir = ::opendir(path.c_str())) {
    std::vector<std::string> children;
    while (const dirent* e = ::readdir(dir)) {
      if (e->d_type == DT_DIR && e->d_name[0] != '.') children.emplace_back(path + "/" + e->d_name);
    }
    ::closedir(dir);
    for (const auto& child : children) remove_tree(child);
  }
  ::rmdir(path.c_str());
}

// A process counter unique within this sbx, so one supervisor (sbx serve) can hold many runs.
std::string next_run_name() {
  static std::atomic<uint64_t> counter{0};
  return "sbx.run." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

}  // namespace

std::string cpu_max_value(double cpus) {
  const auto quota = static_cast<uint64_t>(std::llround(cpus * static_cast<double>(kCpuPeriodUs)));
  return std::to_string(quota < 1000 ? 1000 : quota) + " " + std::to_string(kCpuPeriodUs);
}

void kill_and_remove(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  if (populated(path)) {
    if (!write_text(path + "/cgroup.kill", "1")) kill_each_process(path);
  }
  while (populated(path) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!write_text(path + "/cgroup.kill", "1")) kill_each_process(path);
  }
  remove_tree(path);
}

Result<RunCgroup> RunCgroup::create(const std::string& parent, const Limits& limits) {
  const std::string path = parent + "/" + next_run_name();
  if (::mkdir(path.c_str(), 0755) != 0) return errno_error("mkdir " + path);
  auto fail = [&path](Error e) -> Result<RunCgroup> {
    ::rmdir(path.c_str());
    return e;
  };
  if (limits.memory_bytes) {
    if (auto s = write_text(path + "/memory.max", std::to_string(*limits.memory_bytes)); !s) return fail(s.error());
    // No swap: the limit is the memory the sandbox gets. Absent without swap accounting.
    if (::access((path + "/memory.swap.max").c_str(), F_OK) == 0) {
      if (auto s = write_text(path + "/memory.swap.max", "0"); !s) return fail(s.error());
    }
    // One OOM kill takes the whole sandbox, not one process that a supervisor loop restarts.
    if (auto s = write_text(path + "/memory.oom.group", "1"); !s) return fail(s.error());
  }
  if (limits.pids) {
    if (auto s = write_text(path + "/pids.max", std::to_string(*limits.pids)); !s) return fail(s.error());
  }
  if (limits.cpus) {
    if (auto s = write_text(path + "/cpu.max", cpu_max_value(*limits.cpus)); !s) return fail(s.error());
  }
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return fail(errno_error("open " + path));
  return RunCgroup(path, std::move(dir));
}

RunCgroup::RunCgroup(RunCgroup&& other) noexcept
    : path_(std::exchange(other.path_, std::string())), dir_(std::move(other.dir_)) {}

RunCgroup::~RunCgroup() { remove(); }

void RunCgroup::remove() {
  if (path_.empty()) return;
  dir_.reset();
  kill_and_remove(path_);
  path_.clear();
}

Stats RunCgroup::stats() const {
  Stats s;
  if (auto events = read_file_contents(path_ + "/memory.events")) {
    s.oom_killed = keyed_value(*events, "oom_kill").value_or(0) > 0 ||
                   keyed_value(*events, "oom_group_kill").value_or(0) > 0;
  }
  if (auto peak = read_file_contents(path_ + "/memory.peak")) s.memory_peak = std::strtoull(peak->c_str(), nullptr, 10);
  if (auto cpu = read_file_contents(path_ + "/cpu.stat")) {
    s.cpu_user_us = keyed_value(*cpu, "user_usec");
    s.cpu_system_us = keyed_value(*cpu, "system_usec");
  }
  if (auto peak = read_file_contents(path_ + "/pids.peak")) s.pids_peak = std::strtoull(peak->c_str(), nullptr, 10);
  return s;
}

}  // namespace sbx::cgroup
