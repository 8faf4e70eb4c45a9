// The seccomp layer seen from inside: each denied class fails with EPERM, and the allow halves
// show the probe's attempts would work without sbx (on the host) and that ordinary calls still
// work inside.
#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "base/unique_fd.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

// Probe try-syscall names of everything the default filter refuses.
const char* const kDenied[] = {
    "mount",          "umount",       "pivot-root",   "chroot",           "unshare-user",  "unshare-mount",
    "unshare-net",    "clone-newuser", "setns",       "fsopen",           "open-tree",     "bpf",
    "perf",           "userfaultfd",  "keyctl",       "add-key",          "request-key",   "io_uring",
    "ptrace",         "process-vm-readv", "kexec",    "init-module",      "finit-module",  "delete-module",
    "open-by-handle", "socket-packet", "socket-vsock", "socket-netlink-audit", "swapon",   "reboot",
    "acct",           "quotactl",
};

class DeniedSyscallTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DeniedSyscallTest, FailsWithEperm) {
  const RunResult r = run_probe({}, {"try-syscall", GetParam()});
  EXPECT_TRUE(FailedWith(r, {EPERM}));
  EXPECT_NE(r.out.find(std::string(GetParam()) + ": errno=1 (EPERM)"), std::string::npos) << r;
}

std::string param_name(const ::testing::TestParamInfo<const char*>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Default, DeniedSyscallTest, ::testing::ValuesIn(kDenied), param_name);

// The allow half, on the host: every attempt is built to be harmless there even as root (it
// names missing paths or invalid arguments, see the probe), so the kernel answers ok, ENOENT,
// EINVAL... but not EPERM. Then the sandbox's EPERM above is sbx's doing, not the kernel's.
// An unprivileged caller gets EPERM from the host kernel for some classes: those skip.
class HostBaselineTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HostBaselineTest, OnlyTheSandboxAnswersEperm) {
  const RunResult host = run_probe_on_host({"try-syscall", GetParam()});
  ASSERT_EQ(host.term_signal, 0) << host;
  ASSERT_EQ(host.out.rfind(std::string(GetParam()) + ": ", 0), 0u) << host;
  if (host.status() == EPERM) {
    GTEST_SKIP() << "the host kernel itself refuses " << GetParam() << " to uid " << ::getuid()
                 << " with EPERM, so only the in-sandbox check applies";
  }
  const RunResult sandboxed = run_probe({}, {"try-syscall", GetParam()});
  EXPECT_TRUE(FailedWith(sandboxed, {EPERM}));
  EXPECT_NE(sandboxed.status(), host.status()) << host << sandboxed;
}

INSTANTIATE_TEST_SUITE_P(Default, HostBaselineTest, ::testing::ValuesIn(kDenied), param_name);

TEST(SyscallTest, Clone3ReportsEnosysSoLibcFallsBackToClone) {
  EXPECT_TRUE(FailedWith(run_probe({}, {"try-syscall", "clone3"}), {ENOSYS}));
}

TEST(SyscallTest, OrdinaryCallsStillWork) {
  EXPECT_TRUE(Succeeded(run_probe({}, {"try-syscall", "fork"})));
  EXPECT_TRUE(Succeeded(run_probe({}, {"try-syscall", "socket-netlink-route"})));
}

// Looks up the probe's line "LABEL: RESULT" and returns RESULT.
std::string result_of(const std::string& out, const std::string& label) {
  for (const auto& line : lines(out)) {
    if (line.rfind(label + ": ", 0) == 0) return line.substr(label.size() + 2);
  }
  return "(no line for " + label + ")";
}

bool refused(const std::string& result) {
  return result == "errno=1 (EPERM)" || result.rfind("signal=31 ", 0) == 0;  // EPERM, or SIGSYS
}

TEST(ForeignAbiTest, I386AndX32SyscallsAreRefused) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "foreign ABIs are an x86_64 concern";
#endif
  const RunResult r = run_probe({}, {"foreign-abi"});
  EXPECT_TRUE(refused(result_of(r.out, "i386 getpid via int 0x80"))) << r;
  EXPECT_TRUE(refused(result_of(r.out, "x32 getpid"))) << r;
}

TEST(ForeignAbiTest, I386SyscallWorksOnTheHost) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "foreign ABIs are an x86_64 concern";
#endif
  const RunResult host = run_probe_on_host({"foreign-abi"});
  const std::string i386 = result_of(host.out, "i386 getpid via int 0x80");
  // Without IA32 emulation int 0x80 ends in SIGSEGV or ENOSYS: nothing to compare against.
  if (i386.rfind("signal=", 0) == 0 || i386 == "errno=38 (ENOSYS)") {
    GTEST_SKIP() << "the host kernel has no IA32 emulation (" << i386 << ")";
  }
  EXPECT_EQ(i386, "ok") << host;
}

// A pty nobody controls, handed to the probe as stdin: the probe makes it its controlling
// terminal, after which the kernel itself would allow TIOCSTI.
struct Pty {
  UniqueFd master;
  UniqueFd slave;
};

Pty open_pty() {
  int master = -1, slave = -1;
  EXPECT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave, F_SETFD, FD_CLOEXEC);  // the runner dup2s it onto stdin, which clears this
  return {UniqueFd(master), UniqueFd(slave)};
}

TEST(TerminalTest, TiocstiAndTioclinuxAreRefusedOnAControllingTerminal) {
  Pty pty = open_pty();
  RunOptions options;
  options.stdin_fd = pty.slave.get();
  const RunResult r = run_probe({}, {"tiocsti"}, options);
  EXPECT_TRUE(FailedWith(r, {EPERM}));
  EXPECT_EQ(result_of(r.out, "TIOCSCTTY fd0"), "ok") << "the pty did not become the controlling terminal" << r;
  for (const char* request : {"TIOCSTI", "TIOCSTI|1<<32", "TIOCLINUX", "TIOCLINUX|1<<32"}) {
    for (const char* fd : {"fd0", "fd1", "fd2"}) {
      EXPECT_EQ(result_of(r.out, std::string(request) + " " + fd), "errno=1 (EPERM)") << request << " " << fd << r;
    }
  }
}

TEST(TerminalTest, TiocstiIsRefusedWithoutATerminalToo) {
  const RunResult r = run_probe({}, {"tiocsti"});
  EXPECT_TRUE(FailedWith(r, {EPERM}));
  EXPECT_EQ(result_of(r.out, "TIOCSTI fd0"), "errno=1 (EPERM)") << r;
  EXPECT_EQ(result_of(r.out, "TIOCLINUX|1<<32 fd1"), "errno=1 (EPERM)") << r;
}

TEST(TerminalTest, TiocstiWorksOnTheHostWithTheSamePty) {
  Pty pty = open_pty();
  RunOptions options;
  options.stdin_fd = pty.slave.get();
  const RunResult host = run_probe_on_host({"tiocsti"}, options);
  const std::string plain = result_of(host.out, "TIOCSTI fd0");
  if (plain != "ok") GTEST_SKIP() << "the host refuses TIOCSTI itself (" << plain << "; dev.tty.legacy_tiocsti=0?)";
  // High bits are ignored by the kernel, so the same request with them set works too; and on
  // a pty TIOCLINUX is simply not a known ioctl, never EPERM.
  EXPECT_EQ(result_of(host.out, "TIOCSTI|1<<32 fd0"), "ok") << host;
  EXPECT_EQ(result_of(host.out, "TIOCLINUX fd0"), "errno=25 (ENOTTY)") << host;
}

}  // namespace
}  // namespace sbx::e2e
