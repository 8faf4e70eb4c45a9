// What sbx's own processes keep in memory while a program runs: sbx is one static executable,
// so every page of its code the supervisor or init keep mapped is charged to them alone. Both
// let go of start-up's pages once a run has lasted a moment (base/image_pages.h).
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

struct CodePages {
  long mapped_kib = 0;    // size of the executable's executable mappings
  long resident_kib = 0;  // of which mapped into the process now
};

std::string exe_of(pid_t pid) {
  char buf[PATH_MAX];
  const std::string link = "/proc/" + std::to_string(pid) + "/exe";
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Empty (mapped_kib 0) when the process's maps cannot be read.
CodePages code_pages_of(pid_t pid) {
  const std::string exe = exe_of(pid);
  CodePages pages;
  std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
  std::string line;
  bool in_code = false;
  while (std::getline(smaps, line)) {
    std::istringstream fields(line);
    std::string first, perms, offset, dev, inode, path;
    fields >> first;
    if (first.find('-') != std::string::npos && first.back() != ':') {
      fields >> perms >> offset >> dev >> inode >> path;
      in_code = !exe.empty() && path == exe && perms.find('x') != std::string::npos;
      if (in_code) {
        const auto dash = first.find('-');
        const unsigned long start = std::stoul(first.substr(0, dash), nullptr, 16);
        const unsigned long end = std::stoul(first.substr(dash + 1), nullptr, 16);
        pages.mapped_kib += static_cast<long>((end - start) / 1024);
      }
    } else if (in_code && first == "Rss:") {
      long kib = 0;
      fields >> kib;
      pages.resident_kib += kib;
    }
  }
  return pages;
}

pid_t first_child_of(pid_t pid) {
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = -1;
  children >> child;
  return child;
}

TEST(FootprintTest, ALongRunKeepsFewOfSbxsCodePagesMapped) {
  RunOptions options;
  options.cwd = "/tmp";
  Process sbx = start_sbx({"exec", "--no-workspace", "--", "sleep", "2"}, options);
  // Start-up maps most of the code; the release comes 20 ms into the run. On a loaded machine
  // the start itself can take a while, so look again until the run is nearly over.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CodePages supervisor = code_pages_of(sbx.pid());
  for (int i = 0; i < 10 && supervisor.resident_kib * 3 >= supervisor.mapped_kib; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    supervisor = code_pages_of(sbx.pid());
  }
  const pid_t init = first_child_of(sbx.pid());
  const CodePages init_pages = init > 0 ? code_pages_of(init) : CodePages{};
  const RunResult r = sbx.wait();
  EXPECT_EQ(r.status(), 0) << r;

  ASSERT_GT(supervisor.mapped_kib, 0) << "cannot read the supervisor's maps";
  // Before the release the supervisor had about nine tenths of its code resident.
  EXPECT_LT(supervisor.resident_kib * 3, supervisor.mapped_kib)
      << supervisor.resident_kib << " KiB of " << supervisor.mapped_kib << " KiB of code resident";
  // Init is not dumpable: only a caller with CAP_SYS_PTRACE over sbx's own memory reads it.
  if (init_pages.mapped_kib > 0) {
    EXPECT_LT(init_pages.resident_kib * 3, init_pages.mapped_kib)
        << init_pages.resident_kib << " KiB of " << init_pages.mapped_kib << " KiB of init's code resident";
  }
}

// Shared writable mappings of a process ("rw-s"); sbx's only one is the plan arena the supervisor
// hands the sandbox child its plan in. nullopt when the maps cannot be read.
std::optional<int> shared_writable_mappings(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  int count = 0;
  bool read_any = false;
  while (std::getline(maps, line)) {
    read_any = true;
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms == "rw-s") ++count;
  }
  if (!read_any) return std::nullopt;
  return count;
}

// A field of /proc/PID/status in KiB ("RssShmem:"); nullopt when it cannot be read.
std::optional<size_t> status_kib(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      size_t kib = 0;
      if (status >> kib) return kib;
      return std::nullopt;
    }
    status.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

// The arena (64 MiB of address space, the prelude and the plan in its first pages) is init's
// only until the program has started: keeping it would charge its pages to every sandbox.
TEST(FootprintTest, InitLetsGoOfThePlanOnceTheProgramRuns) {
  RunOptions options;
  options.cwd = "/tmp";
  Process sbx = start_sbx({"exec", "--no-workspace", "--", "sleep", "2"}, options);
  std::optional<int> shared;
  std::optional<size_t> shared_resident_kib;
  pid_t program = -1;
  for (int i = 0; i < 30 && program <= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const pid_t init = first_child_of(sbx.pid());
    program = init > 0 ? first_child_of(init) : -1;
    if (program > 0) {
      shared = shared_writable_mappings(init);
      shared_resident_kib = status_kib(init, "RssShmem:");
    }
  }
  const RunResult r = sbx.wait();
  EXPECT_EQ(r.status(), 0) << r;
  ASSERT_GT(program, 0) << "the program never started";
  ASSERT_TRUE(shared_resident_kib.has_value()) << "cannot read the sandbox init's status";
  // The arena is init's only shared memory, and the pages of the plan it read stay resident
  // while it is mapped (40 KiB here). Its address space would say the same, but not under
  // AddressSanitizer, whose shadow takes terabytes of it.
  EXPECT_EQ(*shared_resident_kib, 0u) << "init still maps the plan arena";
  // Init is not dumpable: only a caller with CAP_SYS_PTRACE over sbx's own memory reads its
  // maps, where the arena is its one shared writable mapping. Its status is anyone's to read.
  if (shared) {
    EXPECT_EQ(*shared, 0) << "init still maps the plan arena";
  }
}

}  // namespace
}  // namespace sbx::e2e
