// Reading, listing and (carefully) writing files.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "commands.h"
#include "probe_util.h"

namespace sbx::probe {
namespace {

// File writes never truncate or replace an existing file: should a sandbox ever fail open, a
// test that expects "read-only" must not have clobbered the host's /etc/passwd. So: `create`
// makes a new file only (O_EXCL), `open-write` checks that an existing file could be opened
// for writing without writing a byte, and `write` writes into an existing file only (the
// tests use it on their own scratch files and on /dev/null and /dev/full).
int write_text(int fd) {
  static constexpr char kText[] = "sbx-probe\n";
  if (::write(fd, kText, sizeof(kText) - 1) != static_cast<ssize_t>(sizeof(kText) - 1)) {
    return report("write", errno != 0 ? errno : EIO);
  }
  if (::fsync(fd) != 0 && errno != EINVAL) return report("fsync", errno);
  return 0;
}

}  // namespace

int cmd_create(const char* path) {
  Fd fd(::open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return report("open", errno);
  return write_text(fd.get());
}

int cmd_open_write(const char* path) {
  Fd fd(::open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC));
  return report("open-write", fd.valid() ? 0 : errno);
}

int cmd_write(const char* path) {
  Fd fd(::open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return report("open", errno);
  return write_text(fd.get());
}

// Copies at most 1 MiB: enough for any file a test looks at, and bounded even for /proc/kcore
// or a device that never ends.
int cmd_read(const char* path) {
  Fd fd(::open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) return report("open", errno);
  constexpr size_t kMaxBytes = 1 << 20;
  char buf[4096];
  for (size_t total = 0; total < kMaxBytes;) {
    const ssize_t n = ::read(fd.get(), buf, std::min(sizeof(buf), kMaxBytes - total));
    if (n < 0) return report("read", errno);
    if (n == 0) break;
    std::fwrite(buf, 1, static_cast<size_t>(n), stdout);
    total += static_cast<size_t>(n);
  }
  return 0;
}

int cmd_exists(const char* path) {
  struct stat st {};
  if (::lstat(path, &st) != 0) return report("lstat", errno);
  std::printf("exists\n");
  return 0;
}

int cmd_ls(const char* path) {
  DIR* dir = ::opendir(path);
  if (dir == nullptr) return report("opendir", errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) std::printf("%s\n", n.c_str());
  return 0;
}

}  // namespace sbx::probe
