#include "host.h"

#include <dirent.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace sbx::e2e {

TempDir::TempDir() {
  char templ[] = "/tmp/sbx-e2e.XXXXXX";
  if (::mkdtemp(templ) == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    return;
  }
  path_ = templ;
  if (::chmod(templ, 0777) != 0) ADD_FAILURE() << "chmod " << path_ << ": " << std::strerror(errno);
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string unique_marker() {
  static std::atomic<unsigned> counter{0};
  return "sbx-e2e-marker-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::vector<HostProcess> processes_with_marker(std::string_view marker) {
  std::vector<HostProcess> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    ADD_FAILURE() << "opendir /proc: " << std::strerror(errno);
    return found;
  }
  while (const dirent* e = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream cmdline(std::string("/proc/") + e->d_name + "/cmdline");
    bool match = false;
    for (std::string arg; std::getline(cmdline, arg, '\0');) match = match || arg == marker;
    if (!match) continue;
    HostProcess p;
    p.pid = static_cast<pid_t>(pid);
    std::ifstream status(std::string("/proc/") + e->d_name + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("NSpid:", 0) != 0) continue;
      std::istringstream ids(line.substr(6));
      for (pid_t id; ids >> id;) p.ns_pids.push_back(id);
    }
    found.push_back(p);
  }
  ::closedir(proc);
  return found;
}

UniqueFd open_pidfd(pid_t pid) { return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

bool all_exited_within(const std::vector<UniqueFd>& pidfds, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (const auto& fd : pidfds) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd.get(), POLLIN, 0};
    // A pidfd polls readable once its process has exited.
    if (::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0))) != 1) return false;
  }
  return true;
}

bool wait_for_file(const std::string& path, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (::access(path.c_str(), F_OK) != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::set<std::string> dir_entries(const std::string& path) {
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(path, ec)) out.insert(e.path().filename().string());
  return out;
}

}  // namespace sbx::e2e
