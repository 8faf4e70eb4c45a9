// Exhausting what the host shares: memory, disk, CPU and the caller's output.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <ctime>
#include <vector>

#include "selftest/attack_util.h"

namespace sbx::selftest {
namespace {

Report memory_hog(const AttackContext&) {
  // In a child: the memory limit may end it with the OOM killer. 512 MiB at most, touched.
  constexpr size_t kChunk = 16u << 20;
  constexpr int kChunks = 32;
  const int status = in_child([] {
    for (int i = 0; i < kChunks; ++i) {
      void* p = ::mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return 1;
      std::memset(p, 0x5a, kChunk);
    }
    return 0;
  });
  if (status == 0) return escaped("held 512 MiB past a 128 MiB limit");
  return blocked(status == 1 ? "mmap failed before 512 MiB" : "the hog was killed (status " + std::to_string(status) + ")");
}

Report file_size(const AttackContext& c) {
  ::signal(SIGXFSZ, SIG_IGN);
  const std::string path = c.control ? "big" : "/tmp/big";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return blocked("open: " + errno_text());
  std::vector<char> block(1 << 20, 'x');
  size_t written = 0;
  while (written < (64u << 20)) {
    const ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const int saved = errno;
  ::close(fd);
  ::unlink(path.c_str());
  if (written >= (64u << 20)) return escaped("wrote a 64 MiB file past an 8 MiB limit");
  return blocked("stopped at " + std::to_string(written >> 20) + " MiB: " + errno_text(saved));
}

Report output_flood(const AttackContext&) {
  std::vector<char> block(1 << 16, 'y');
  for (size_t sent = 0; sent < (32u << 20);) {
    const ssize_t n = ::write(STDOUT_FILENO, block.data(), block.size());
    if (n <= 0) return blocked("stdout closed after " + std::to_string(sent >> 20) + " MiB");
    sent += static_cast<size_t>(n);
  }
  return blocked("wrote 32 MiB; the runner counts what reached it");
}

Report cpu_time(const AttackContext&) {
  // 3 s of CPU against a 1 s limit (RLIMIT_CPU ends it with SIGXCPU, then SIGKILL).
  const int status = in_child([] {
    timespec t{};
    do {
      ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    } while (t.tv_sec < 3);
    return 0;
  });
  if (status == 0) return escaped("used 3 s of CPU past a 1 s limit");
  return blocked("stopped by signal " + std::to_string(status - 128));
}

constexpr std::array kAttacks = {
    Attack{"res.memory", "resource", "hold 512 MiB past a 128 MiB limit", memory_hog, HostCheck::kNone,
           "--memory 128m --cgroup best-effort"},
    Attack{"res.file-size", "resource", "write a 64 MiB file past an 8 MiB limit", file_size, HostCheck::kNone,
           "--ulimit fsize=8m"},
    Attack{"res.output-flood", "resource", "flood the caller with 32 MiB past a 1 MiB output limit", output_flood,
           HostCheck::kOutputVolume, "--output-limit 1m"},
    Attack{"res.cpu-time", "resource", "use 3 s of CPU past a 1 s limit", cpu_time, HostCheck::kNone,
           "--cpu-time 1"},
};

}  // namespace

std::span<const Attack> resource_attacks() { return kAttacks; }

}  // namespace sbx::selftest
