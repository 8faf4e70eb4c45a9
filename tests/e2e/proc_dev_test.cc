// The kernel interfaces the program gets: a fresh /proc with sensitive entries masked and
// /proc/sys read-only, a minimal /dev, and no /sys.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "probe.h"

namespace sbx::e2e {
namespace {

TEST(ProcTest, MaskedEntriesRevealNothing) {
  for (const char* path : {"/proc/kcore", "/proc/sysrq-trigger", "/proc/keys", "/proc/timer_list",
                           "/proc/sched_debug", "/proc/latency_stats"}) {
    const RunResult r = run_probe({}, {"read", path});
    // Masked means unreadable or empty: either the read fails, or it succeeds with no bytes.
    if (r.status() == 0) {
      EXPECT_TRUE(r.out.empty()) << path << r;
    } else {
      EXPECT_TRUE(r.err.find("sbx: error") == std::string::npos && r.status() < 125) << path << r;
    }
  }
}

TEST(ProcTest, SysrqTriggerIsNotWritable) {
  EXPECT_TRUE(FailedWith(run_probe({}, {"open-write", "/proc/sysrq-trigger"}), {EROFS, EACCES, ENOENT, EPERM}));
}

TEST(ProcTest, ProcessEntriesAreReadable) {
  const RunResult r = run_probe({}, {"read", "/proc/self/status"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_NE(r.out.find("NSpid:"), std::string::npos) << r;
  EXPECT_TRUE(Succeeded(run_probe({}, {"read", "/proc/uptime"})));
}

TEST(ProcTest, ProcSysIsReadableButReadOnly) {
  const RunResult read = run_probe({}, {"read", "/proc/sys/kernel/hostname"});
  ASSERT_TRUE(Succeeded(read));
  EXPECT_EQ(read.out, "sbx\n");
  for (const char* path : {"/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", "/proc/sys/kernel/core_pattern"}) {
    EXPECT_TRUE(FailedWith(run_probe({}, {"open-write", path}), {EROFS, EACCES})) << path;
  }
}

TEST(DevTest, OnlyTheMinimalDevicesExist) {
  const RunResult r = run_probe({}, {"ls", "/dev"});
  ASSERT_TRUE(Succeeded(r));
  const auto found = lines(r.out);
  const std::set<std::string> entries(found.begin(), found.end());
  for (const char* required : {"null", "zero", "full", "random", "urandom", "tty", "pts", "shm"}) {
    EXPECT_TRUE(entries.count(required)) << "/dev/" << required << " missing" << r;
  }
  // ptmx backs the private pts instance; fd, stdin, stdout and stderr are /proc/self links.
  const std::set<std::string> allowed = {"null", "zero", "full", "random", "urandom", "tty", "pts",
                                         "shm", "ptmx", "fd", "stdin", "stdout", "stderr"};
  for (const auto& e : entries) EXPECT_TRUE(allowed.count(e)) << "unexpected /dev/" << e << r;
}

TEST(DevTest, DevicesAreTheRealOnes) {
  EXPECT_TRUE(Succeeded(run_probe({}, {"write", "/dev/null"})));
  EXPECT_TRUE(FailedWith(run_probe({}, {"write", "/dev/full"}), {ENOSPC}));
}

TEST(DevTest, NoHostDeviceNodes) {
  for (const char* path : {"/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg", "/dev/sda", "/dev/vda",
                           "/dev/nvme0n1", "/dev/loop0", "/dev/fuse", "/dev/kvm", "/dev/net/tun"}) {
    EXPECT_TRUE(FailedWith(run_probe({}, {"exists", path}), {ENOENT})) << path;
  }
}

TEST(SysTest, SysIsAbsent) {
  ASSERT_EQ(::access("/sys/kernel", F_OK), 0) << "the host has /sys; the sandbox must not";
  EXPECT_TRUE(FailedWith(run_probe({}, {"exists", "/sys"}), {ENOENT}));
}

}  // namespace
}  // namespace sbx::e2e
