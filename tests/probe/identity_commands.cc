// Who and where the probe is: ids, capabilities, pids, fds, environment, host name.
#include <dirent.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "probe_util.h"

namespace sbx::probe {

int cmd_ids() {
  std::vector<gid_t> groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
  const int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
  std::string list;
  for (int i = 0; i < n; ++i) list += (i ? "," : "") + std::to_string(groups[static_cast<size_t>(i)]);
  std::printf("uid=%u gid=%u euid=%u egid=%u groups=%s\n", ::getuid(), ::getgid(), ::geteuid(),
              ::getegid(), list.c_str());
  return 0;
}

int cmd_caps() {
  std::ifstream status("/proc/self/status");
  if (!status) return report("open /proc/self/status", errno);
  static constexpr std::string_view kFields[] = {"CapInh", "CapPrm", "CapEff", "CapBnd",
                                                 "CapAmb", "NoNewPrivs", "Seccomp"};
  std::string line;
  int found = 0;
  while (std::getline(status, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string_view key(line.data(), colon);
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) continue;
    const size_t start = line.find_first_not_of(" \t", colon + 1);
    std::printf("%.*s=%s\n", static_cast<int>(key.size()), key.data(),
                start == std::string::npos ? "" : line.c_str() + start);
    ++found;
  }
  // Missing fields would make a "no caps" assertion pass vacuously: fail loudly instead.
  return found == static_cast<int>(std::size(kFields)) ? 0 : ENODATA;
}

int cmd_cwd() {
  char buf[4096];
  if (::getcwd(buf, sizeof(buf)) == nullptr) return report("getcwd", errno);
  std::printf("%s\n", buf);
  return 0;
}

// Lists this process's open fds, leaving out the one opendir() itself holds.
int cmd_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return report("opendir /proc/self/fd", errno);
  const int own = ::dirfd(dir);
  std::vector<int> fds;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd == own) continue;
    char target[4096] = {};
    const std::string link = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = ::readlink(link.c_str(), target, sizeof(target) - 1);
    std::printf("fd %d -> %s\n", fd, n > 0 ? target : "?");
    fds.push_back(fd);
  }
  ::closedir(dir);
  std::sort(fds.begin(), fds.end());
  std::string list;
  for (size_t i = 0; i < fds.size(); ++i) list += (i ? "," : "") + std::to_string(fds[i]);
  std::printf("fds=%s\n", list.c_str());
  return 0;
}

int cmd_pids() {
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return report("opendir /proc", errno);
  std::vector<long> pids;
  while (const dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (*end == '\0' && pid > 0) pids.push_back(pid);
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  std::string list;
  for (size_t i = 0; i < pids.size(); ++i) list += (i ? "," : "") + std::to_string(pids[i]);
  std::printf("pids=%s\nself=%d\n", list.c_str(), ::getpid());
  return 0;
}

int cmd_env() {
  for (char** e = environ; *e != nullptr; ++e) std::printf("%s\n", *e);
  return 0;
}

int cmd_hostname() {
  utsname u{};
  if (::uname(&u) != 0) return report("uname", errno);
  std::printf("%s\n", u.nodename);
  return 0;
}

}  // namespace sbx::probe
