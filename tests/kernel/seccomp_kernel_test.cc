// Installs the compiled default filter for real (the way the sandbox child does: no_new_privs,
// then the raw seccomp syscall) in a forked, time-bounded child, and reports what each probe
// got back over a pipe. Every refusal is checked twice: EPERM in errno mode, and death by
// SIGSYS in kill mode, which only seccomp produces, so a kernel permission check cannot pass
// for the filter. Allowed calls are checked in the same children.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/kcmp.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "seccomp/filter.h"

extern char** environ;

namespace sbx::seccomp {
namespace {

// What a probe saw: the call's return value, and errno when it failed.
struct Outcome {
  long ret;
  int err;
};
using ProbeFn = Outcome (*)();

struct Probe {
  const char* name;
  ProbeFn fn;
  int expected_errno;  // under the errno-mode filter; 0: the call succeeds
};

Outcome result_of(long ret) { return Outcome{ret, ret == -1 ? errno : 0}; }

// For raw ABI calls that return -errno in the register.
Outcome raw_result(long ret) {
  if (ret < 0 && ret >= -4095) return Outcome{-1, static_cast<int>(-ret)};
  return Outcome{ret, 0};
}

constexpr int kChildTimeoutSeconds = 10;
constexpr int kExitNoNewPrivs = 90;
constexpr int kExitSeccomp = 91;
constexpr long kSysOpenTreeAttr = 467;  // Linux 6.15; not in Debian 12's headers
constexpr unsigned long kAddrNoRandomize = 0x0040000;
constexpr uint64_t kHigh32 = uint64_t{1} << 32;

struct ChildRun {
  int wait_status = 0;
  std::vector<Outcome> outcomes;
};

// Forks; the child installs `prog` (when given) exactly as the sandbox child will and runs the
// probes, writing one Outcome each to a pipe. The child is bounded by alarm() and dies with
// the test process.
ChildRun run_probes(const sock_fprog* prog, std::span<const Probe> probes) {
  ChildRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return run;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return run;
  }
  if (pid == 0) {
    // No controlling terminal: even if a rule were missing, vhangup and TIOCSTI could not reach
    // the terminal running the tests. No core dumps from the SIGSYS kills.
    ::setsid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::prctl(PR_SET_DUMPABLE, 0);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::alarm(kChildTimeoutSeconds);
    if (prog != nullptr) {
      if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(kExitNoNewPrivs);
      if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0) ::_exit(kExitSeccomp);
    }
    for (const Probe& probe : probes) {
      const Outcome outcome = probe.fn();
      if (::write(write_end.get(), &outcome, sizeof(outcome)) != sizeof(outcome)) ::_exit(92);
    }
    ::_exit(0);
  }
  write_end.reset();
  Outcome outcome{};
  while (true) {
    const ssize_t n = ::read(read_end.get(), &outcome, sizeof(outcome));
    if (n < 0 && errno == EINTR) continue;
    if (n != sizeof(outcome)) break;
    run.outcomes.push_back(outcome);
  }
  while (::waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  return run;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// Waits for a child a probe created; 0 when it exited 0.
Outcome reap(pid_t pid) {
  if (pid < 0) return Outcome{-1, errno};
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return Outcome{-1, errno};
  return Outcome{WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1, 0};
}

// A raw clone with a fork-like stack: if the filter let it through, the new child leaves at once.
Outcome raw_clone(unsigned long flags) {
  const long ret = ::syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (ret == 0) ::_exit(0);
  if (ret < 0) return result_of(ret);
  return reap(static_cast<pid_t>(ret));
}

Outcome raw_unshare(unsigned long flags) { return result_of(::syscall(SYS_unshare, flags)); }

Outcome raw_socket(long syscall_nr, uint64_t family, int type, uint64_t protocol) {
  if (syscall_nr == SYS_socketpair) {
    int sv[2];
    return result_of(::syscall(SYS_socketpair, family, type | SOCK_CLOEXEC, protocol, sv));
  }
  return result_of(::syscall(SYS_socket, family, type | SOCK_CLOEXEC, protocol));
}

Outcome raw_ioctl_on_devnull(uint64_t request) {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Outcome{-1, errno};
  char c = 'x';
  return result_of(::syscall(SYS_ioctl, fd, request, &c));
}

#if defined(__x86_64__)
// getpid through the i386 ABI (int 0x80 from 64-bit code: seccomp sees AUDIT_ARCH_I386).
Outcome i386_getpid() {
  long ret = 20;  // __NR_getpid on i386
  asm volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
  return raw_result(static_cast<int>(ret));
}
// getpid through the x32 ABI: x86_64 arch word, syscall number with __X32_SYSCALL_BIT.
Outcome x32_getpid() {
  long ret = 0x40000000L | 39;
  asm volatile("syscall" : "+a"(ret) : : "rcx", "r11", "memory");
  return raw_result(ret);
}
#endif

// The probe tables read best one call per line.
// clang-format off
#define PROBE(expected, body) Probe{#body, +[]() -> Outcome { return body; }, expected}

// Each must be refused. Arguments are chosen so that, even unfiltered, none changes the host.
const std::vector<Probe>& denied_probes() {
  static const std::vector<Probe> probes = {
    PROBE(EPERM, result_of(::syscall(SYS_init_module, nullptr, 0, ""))),
    PROBE(EPERM, result_of(::syscall(SYS_finit_module, -1, "", 0))),
    PROBE(EPERM, result_of(::syscall(SYS_delete_module, "sbx_no_such_module", O_NONBLOCK))),
    PROBE(EPERM, result_of(::syscall(SYS_kexec_load, 0, 0, nullptr, 0x8000))),
    PROBE(EPERM, result_of(::syscall(SYS_kexec_file_load, -1, -1, 0, nullptr, 0x80000000))),
    PROBE(EPERM, result_of(::syscall(SYS_bpf, -1, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_userfaultfd, O_CLOEXEC))),
    PROBE(EPERM, result_of(::syscall(SYS_io_uring_setup, 1, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0UL))),
    PROBE(EPERM, result_of(::syscall(SYS_io_uring_register, -1, 0, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_add_key, nullptr, nullptr, nullptr, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_request_key, nullptr, nullptr, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_keyctl, 0, 0, 0, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_ptrace, 12 /*PTRACE_GETREGS*/, 1, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_process_vm_readv, ::getpid(), nullptr, 0UL, nullptr, 0UL, 0UL))),
    PROBE(EPERM,
          result_of(::syscall(SYS_process_vm_writev, ::getpid(), nullptr, 0UL, nullptr, 0UL, 0UL))),
    PROBE(EPERM, result_of(::syscall(SYS_kcmp, ::getpid(), ::getpid(), KCMP_VM, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_pidfd_getfd, -1, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_mount, "none", "/sbx-nonexistent", "tmpfs", 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_umount2, "/sbx-nonexistent", 0))),
    PROBE(EPERM, result_of(::syscall(SYS_pivot_root, "/sbx-nonexistent", "/sbx-nonexistent"))),
    PROBE(EPERM, result_of(::syscall(SYS_chroot, "/sbx-nonexistent"))),
    PROBE(EPERM, result_of(::syscall(SYS_open_tree, -1, "/sbx-nonexistent", 0))),
    PROBE(EPERM, result_of(::syscall(kSysOpenTreeAttr, -1, "/sbx-nonexistent", 0, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_move_mount, -1, "", -1, "", 0))),
    PROBE(EPERM, result_of(::syscall(SYS_fsopen, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_fsconfig, -1, 0, nullptr, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_fsmount, -1, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_fspick, -1, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_mount_setattr, -1, nullptr, 0, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_setns, -1, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_open_by_handle_at, -1, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_name_to_handle_at, AT_FDCWD, "/", nullptr, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_swapon, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_swapoff, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_reboot, 0, 0, 0, nullptr))),  // bad magic
    PROBE(EPERM, result_of(::syscall(SYS_acct, "/sbx-nonexistent/acct"))),
    PROBE(EPERM, result_of(::syscall(SYS_quotactl, 0, nullptr, 0, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_quotactl_fd, -1, 0, 0, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_lookup_dcookie, 0, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_syslog, 10 /*SIZE_BUFFER*/, nullptr, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_vhangup))),
    PROBE(EPERM, result_of(::syscall(SYS_iopl, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_ioperm, 0, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_uselib, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_nfsservctl, 0, nullptr, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_fanotify_init, 0, 0))),
    PROBE(EPERM, result_of(::syscall(SYS_settimeofday, nullptr, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_clock_settime, CLOCK_REALTIME, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_clock_adjtime, CLOCK_REALTIME, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_adjtimex, nullptr))),
    PROBE(EPERM, result_of(::syscall(SYS_sethostname, "x", -1))),
    PROBE(EPERM, result_of(::syscall(SYS_setdomainname, "x", -1))),
    PROBE(EPERM, result_of(::syscall(SYS_personality, kAddrNoRandomize))),
    PROBE(EPERM, result_of(::syscall(SYS_personality, 0x0400000 /*READ_IMPLIES_EXEC*/))),
    PROBE(EPERM, result_of(::syscall(SYS_personality, 0x80040000))),
    PROBE(EPERM, result_of(::syscall(SYS_personality, 0xfffffffe))),
    PROBE(EPERM, raw_unshare(CLONE_NEWNS)),
    PROBE(EPERM, raw_unshare(CLONE_NEWUTS)),
    PROBE(EPERM, raw_unshare(CLONE_NEWIPC)),
    PROBE(EPERM, raw_unshare(CLONE_NEWUSER)),
    PROBE(EPERM, raw_unshare(CLONE_NEWPID)),
    PROBE(EPERM, raw_unshare(CLONE_NEWNET)),
    PROBE(EPERM, raw_unshare(CLONE_NEWCGROUP)),
    PROBE(EPERM, raw_unshare(CLONE_NEWTIME)),
    PROBE(EPERM, raw_unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_FILES)),
    PROBE(EPERM, raw_clone(CLONE_NEWNS)),
    PROBE(EPERM, raw_clone(CLONE_NEWUTS)),
    PROBE(EPERM, raw_clone(CLONE_NEWIPC)),
    PROBE(EPERM, raw_clone(CLONE_NEWUSER)),
    PROBE(EPERM, raw_clone(CLONE_NEWPID)),
    PROBE(EPERM, raw_clone(CLONE_NEWNET)),
    PROBE(EPERM, raw_clone(CLONE_NEWCGROUP)),
    PROBE(EPERM, raw_ioctl_on_devnull(TIOCSTI)),
    PROBE(EPERM, raw_ioctl_on_devnull(TIOCSTI | kHigh32)),
    PROBE(EPERM, raw_ioctl_on_devnull(TIOCLINUX)),
    PROBE(EPERM, raw_ioctl_on_devnull(TIOCLINUX | kHigh32)),
    PROBE(EPERM, raw_socket(SYS_socket, AF_PACKET, SOCK_RAW, 0)),
    PROBE(EPERM, raw_socket(SYS_socket, AF_PACKET | kHigh32, SOCK_RAW, 0)),
    PROBE(EPERM, raw_socket(SYS_socket, AF_VSOCK, SOCK_STREAM, 0)),
    PROBE(EPERM, raw_socket(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)),
    PROBE(EPERM, raw_socket(SYS_socket, AF_NETLINK | kHigh32, SOCK_RAW, NETLINK_AUDIT)),
    PROBE(EPERM, raw_socket(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT)),
    PROBE(EPERM, raw_socket(SYS_socketpair, AF_PACKET, SOCK_RAW, 0)),
    PROBE(EPERM, raw_socket(SYS_socketpair, AF_VSOCK, SOCK_STREAM, 0)),
    PROBE(EPERM, raw_socket(SYS_socketpair, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)),
#if defined(__x86_64__)
    PROBE(EPERM, i386_getpid()),
    PROBE(EPERM, x32_getpid()),
#endif
  };
  return probes;
}
// clang-format on

Outcome thread_round_trip() {
  pthread_t thread;
  // glibc 2.34+ tries clone3 first and falls back to clone on ENOSYS.
  const int rc = ::pthread_create(
      &thread, nullptr, +[](void*) -> void* { return nullptr; }, nullptr);
  if (rc != 0) return Outcome{-1, rc};
  return Outcome{::pthread_join(thread, nullptr) == 0 ? 0 : -1, 0};
}

Outcome spawn_true() {
  pid_t pid = 0;
  char arg0[] = "true";
  char* const argv[] = {arg0, nullptr};
  const int rc = ::posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ);
  if (rc != 0) return Outcome{-1, rc};
  return reap(pid);
}

Outcome plain_fork() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  return reap(pid);
}

Outcome raw_clone3_fork() {
  // struct clone_args, version 0: flags, pidfd, child_tid, parent_tid, exit_signal, stack,
  // stack_size, tls.
  uint64_t args[8] = {0, 0, 0, 0, SIGCHLD, 0, 0, 0};
  const long ret = ::syscall(SYS_clone3, args, sizeof(args));
  if (ret == 0) ::_exit(0);
  if (ret < 0) return result_of(ret);
  return reap(static_cast<pid_t>(ret));
}

// Each must still work under the filter (or fail the way it would without it).
// clang-format off
const std::vector<Probe>& allowed_probes() {
  static const std::vector<Probe> probes = {
      PROBE(0, result_of(::syscall(SYS_getpid))),
      PROBE(0, result_of(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : -1)),
      PROBE(0, plain_fork()),
      PROBE(0, raw_clone(0)),
      PROBE(0, raw_clone(CLONE_FILES | CLONE_FS)),
      PROBE(0, thread_round_trip()),
      PROBE(0, spawn_true()),
      PROBE(ENOSYS, raw_clone3_fork()),
      PROBE(0, raw_unshare(0)),
      PROBE(0, raw_unshare(CLONE_FILES)),
      PROBE(0, raw_socket(SYS_socket, AF_UNIX, SOCK_STREAM, 0)),
      PROBE(0, raw_socket(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0)),
      PROBE(0, raw_socket(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)),
      PROBE(0, raw_socket(SYS_socket, AF_INET, SOCK_DGRAM, 0)),
      PROBE(0, result_of(::syscall(SYS_personality, 0xffffffffUL))),
      PROBE(0, result_of(::syscall(SYS_personality, ~0UL))),  // the kernel reads 0xffffffff
      PROBE(0, result_of(::syscall(SYS_personality, 0x0008))),
      PROBE(0, result_of(::syscall(SYS_personality, 0x20000))),
      PROBE(0, result_of(::syscall(SYS_personality, 0x20008))),
      PROBE(0, result_of(::syscall(SYS_personality, 0))),
      PROBE(ENOTTY, raw_ioctl_on_devnull(TCGETS)),
  };
  return probes;
}
// clang-format on

class SeccompKernelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One instruction, "allow": tells whether this kernel takes filters at all.
    sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    const sock_fprog prog{1, &allow};
    const ChildRun run = run_probes(&prog, {});
    if (!WIFEXITED(run.wait_status) || WEXITSTATUS(run.wait_status) != 0) {
      unavailable_ = "the kernel refused a trivial seccomp filter (" +
                     describe_status(run.wait_status) + "; 90: no_new_privs, 91: seccomp)";
    }
  }
  void SetUp() override {
    if (!unavailable_.empty()) GTEST_SKIP() << unavailable_;
  }

  static CompiledFilter compile(DenyAction action) {
    auto compiled = compile_default_filter(FilterOptions{.deny_action = action});
    EXPECT_TRUE(compiled.has_value()) << compiled.error().message;
    return compiled.has_value() ? std::move(compiled).value() : CompiledFilter{};
  }

  static void expect_outcomes(const ChildRun& run, std::span<const Probe> probes) {
    // Outcomes first: a child that died part-way still shows what went wrong before.
    for (size_t i = 0; i < run.outcomes.size() && i < probes.size(); ++i) {
      const Outcome& got = run.outcomes[i];
      if (probes[i].expected_errno == 0) {
        EXPECT_GE(got.ret, 0) << probes[i].name << ": " << std::strerror(got.err);
      } else {
        EXPECT_EQ(got.ret, -1) << probes[i].name << " succeeded";
        EXPECT_EQ(got.err, probes[i].expected_errno)
            << probes[i].name << ": got " << std::strerror(got.err);
      }
    }
    EXPECT_TRUE(WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0)
        << "probe child " << describe_status(run.wait_status) << " after " << run.outcomes.size()
        << " probes"
        << (run.outcomes.size() < probes.size()
                ? std::string(", during ") + probes[run.outcomes.size()].name
                : std::string());
    EXPECT_EQ(run.outcomes.size(), probes.size());
  }

  static inline std::string unavailable_;
};

TEST_F(SeccompKernelTest, ErrnoModeRefusesEveryDeniedClassWithEperm) {
  const CompiledFilter filter = compile(DenyAction::kErrno);
  const sock_fprog prog = filter.fprog();
  expect_outcomes(run_probes(&prog, denied_probes()), denied_probes());
}

TEST_F(SeccompKernelTest, ErrnoModeKeepsEverydayCallsWorking) {
  const CompiledFilter filter = compile(DenyAction::kErrno);
  const sock_fprog prog = filter.fprog();
  expect_outcomes(run_probes(&prog, allowed_probes()), allowed_probes());
}

// SIGSYS comes from seccomp alone: each refusal is the filter's, not a missing privilege.
TEST_F(SeccompKernelTest, KillModeKillsOnEachDeniedClassAlone) {
  const CompiledFilter filter = compile(DenyAction::kKill);
  const sock_fprog prog = filter.fprog();
  for (const Probe& probe : denied_probes()) {
    const ChildRun run = run_probes(&prog, std::span(&probe, 1));
    EXPECT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGSYS)
        << probe.name << ": " << describe_status(run.wait_status);
  }
}

TEST_F(SeccompKernelTest, KillModeKeepsEverydayCallsWorking) {
  const CompiledFilter filter = compile(DenyAction::kKill);
  const sock_fprog prog = filter.fprog();
  expect_outcomes(run_probes(&prog, allowed_probes()), allowed_probes());
}

// Log mode enforces nothing: refused calls behave as without a filter. clone3 keeps ENOSYS so
// programs take the same paths as under enforcement.
TEST_F(SeccompKernelTest, LogModeLetsDeniedCallsThrough) {
  const std::vector<Probe> probes = {
      PROBE(0, result_of(::syscall(SYS_personality, kAddrNoRandomize))),
      PROBE(0, result_of(::syscall(SYS_kcmp, ::getpid(), ::getpid(), KCMP_VM, 0, 0))),
      PROBE(0, result_of(::syscall(SYS_process_vm_readv, ::getpid(), nullptr, 0UL, nullptr, 0UL, 0UL))),
      PROBE(ENOSYS, raw_clone3_fork()),
      PROBE(0, result_of(::syscall(SYS_getpid))),
  };
  const CompiledFilter filter = compile(DenyAction::kLog);
  const sock_fprog prog = filter.fprog();
  expect_outcomes(run_probes(&prog, probes), probes);
}

// The same harmless calls succeed without the filter, so the EPERM above is the filter's doing.
TEST_F(SeccompKernelTest, WithoutTheFilterTheDeniedProbesBehaveDifferently) {
  const std::vector<Probe> probes = {
      PROBE(0, result_of(::syscall(SYS_personality, kAddrNoRandomize))),
      PROBE(0, result_of(::syscall(SYS_kcmp, ::getpid(), ::getpid(), KCMP_VM, 0, 0))),
      PROBE(0, result_of(::syscall(SYS_process_vm_readv, ::getpid(), nullptr, 0UL, nullptr, 0UL, 0UL))),
      PROBE(ENOTTY, raw_ioctl_on_devnull(TIOCSTI | kHigh32)),
      PROBE(0, raw_clone3_fork()),
  };
  expect_outcomes(run_probes(nullptr, probes), probes);
}

#if defined(__x86_64__)
TEST_F(SeccompKernelTest, I386AbiIsRefusedOnlyUnderTheFilter) {
  const Probe probe = PROBE(0, i386_getpid());
  const ChildRun baseline = run_probes(nullptr, std::span(&probe, 1));
  if (!WIFEXITED(baseline.wait_status)) {
    GTEST_SKIP() << "int 0x80 does not reach the kernel here (ia32 emulation off?): "
                 << describe_status(baseline.wait_status);
  }
  ASSERT_EQ(baseline.outcomes.size(), 1u);
  EXPECT_GT(baseline.outcomes[0].ret, 0)
      << "i386 getpid without a filter: " << std::strerror(baseline.outcomes[0].err);

  const CompiledFilter filter = compile(DenyAction::kErrno);
  const sock_fprog prog = filter.fprog();
  const ChildRun filtered = run_probes(&prog, std::span(&probe, 1));
  ASSERT_EQ(filtered.outcomes.size(), 1u) << describe_status(filtered.wait_status);
  EXPECT_EQ(filtered.outcomes[0].ret, -1);
  EXPECT_EQ(filtered.outcomes[0].err, EPERM) << std::strerror(filtered.outcomes[0].err);
}

TEST_F(SeccompKernelTest, X32AbiIsRefusedOnlyUnderTheFilter) {
  const Probe probe = PROBE(0, x32_getpid());
  const ChildRun baseline = run_probes(nullptr, std::span(&probe, 1));
  ASSERT_EQ(baseline.outcomes.size(), 1u) << describe_status(baseline.wait_status);
  // Kernels without CONFIG_X86_X32_ABI answer ENOSYS; with it, the pid. Never EPERM.
  const Outcome& plain = baseline.outcomes[0];
  EXPECT_TRUE(plain.ret > 0 || plain.err == ENOSYS) << std::strerror(plain.err);

  const CompiledFilter filter = compile(DenyAction::kErrno);
  const sock_fprog prog = filter.fprog();
  const ChildRun filtered = run_probes(&prog, std::span(&probe, 1));
  ASSERT_EQ(filtered.outcomes.size(), 1u) << describe_status(filtered.wait_status);
  EXPECT_EQ(filtered.outcomes[0].ret, -1);
  EXPECT_EQ(filtered.outcomes[0].err, EPERM) << std::strerror(filtered.outcomes[0].err);
}
#endif

TEST_F(SeccompKernelTest, UserNamespaceOnlyRefusedUnderTheFilter) {
  const Probe probe = PROBE(0, raw_unshare(CLONE_NEWUSER));
  const ChildRun baseline = run_probes(nullptr, std::span(&probe, 1));
  ASSERT_EQ(baseline.outcomes.size(), 1u) << describe_status(baseline.wait_status);
  if (baseline.outcomes[0].ret != 0) {
    GTEST_SKIP() << "unprivileged user namespaces unavailable: "
                 << std::strerror(baseline.outcomes[0].err);
  }
  const CompiledFilter filter = compile(DenyAction::kErrno);
  const sock_fprog prog = filter.fprog();
  const ChildRun filtered = run_probes(&prog, std::span(&probe, 1));
  ASSERT_EQ(filtered.outcomes.size(), 1u) << describe_status(filtered.wait_status);
  EXPECT_EQ(filtered.outcomes[0].err, EPERM) << std::strerror(filtered.outcomes[0].err);
}

}  // namespace
}  // namespace sbx::seccomp
