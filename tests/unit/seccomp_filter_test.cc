// The default seccomp filter, checked without installing it: the compiled program is run through
// a small classic-BPF interpreter over hand-made seccomp_data, and the policy tables are checked
// directly. tests/kernel/seccomp_kernel_test.cc installs it for real.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "seccomp/filter.h"
#include "seccomp/precompiled.h"
#include "seccomp/rules.h"

namespace sbx::seccomp {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kKillProcess = SECCOMP_RET_KILL_PROCESS;
constexpr uint32_t kLog = SECCOMP_RET_LOG;
constexpr uint64_t kX32Bit = 0x40000000;

// Everything the brief requires the default to refuse outright.
const char* const kRequiredDenied[] = {
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "add_key",
    "request_key",
    "keyctl",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "setns",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_by_handle_at",
    "name_to_handle_at",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "quotactl_fd",
    "lookup_dcookie",
    "syslog",
    "vhangup",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "uselib",
    "kcmp",
    "pidfd_getfd",
    "fanotify_init",
    "nfsservctl",
};

bool native_is_x86_64() { return seccomp_arch_native() == SCMP_ARCH_X86_64; }

// Runs a seccomp classic-BPF program the way the kernel does, for the instructions libseccomp
// emits. An instruction it does not know fails the test rather than guessing.
class BpfRunner {
 public:
  explicit BpfRunner(const std::vector<sock_filter>& program) : program_(program) {}

  std::optional<uint32_t> run(const seccomp_data& data) const {
    uint32_t a = 0;
    uint32_t x = 0;
    uint32_t mem[BPF_MEMWORDS] = {};
    for (size_t pc = 0; pc < program_.size(); ++pc) {
      const sock_filter& in = program_[pc];
      switch (in.code) {
        case BPF_LD | BPF_W | BPF_ABS:
          if (in.k % 4 != 0 || in.k + 4 > sizeof(data)) return fail(pc, "load out of range");
          std::memcpy(&a, reinterpret_cast<const char*>(&data) + in.k, 4);
          break;
        case BPF_LD | BPF_MEM:
          a = mem[in.k % BPF_MEMWORDS];
          break;
        case BPF_LDX | BPF_MEM:
          x = mem[in.k % BPF_MEMWORDS];
          break;
        case BPF_ST:
          mem[in.k % BPF_MEMWORDS] = a;
          break;
        case BPF_STX:
          mem[in.k % BPF_MEMWORDS] = x;
          break;
        case BPF_LD | BPF_IMM:
          a = in.k;
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          a &= in.k;
          break;
        case BPF_MISC | BPF_TAX:
          x = a;
          break;
        case BPF_MISC | BPF_TXA:
          a = x;
          break;
        case BPF_JMP | BPF_JA:
          pc += in.k;
          break;
        case BPF_JMP | BPF_JEQ | BPF_K:
          pc += (a == in.k) ? in.jt : in.jf;
          break;
        case BPF_JMP | BPF_JGT | BPF_K:
          pc += (a > in.k) ? in.jt : in.jf;
          break;
        case BPF_JMP | BPF_JGE | BPF_K:
          pc += (a >= in.k) ? in.jt : in.jf;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          pc += (a & in.k) ? in.jt : in.jf;
          break;
        case BPF_RET | BPF_K:
          return in.k;
        case BPF_RET | BPF_A:
          return a;
        default:
          return fail(pc, "unknown opcode " + std::to_string(in.code));
      }
    }
    return fail(program_.size(), "ran off the end");
  }

  // Result for a syscall on the native x86_64 ABI.
  std::optional<uint32_t> call(uint64_t nr, std::initializer_list<uint64_t> args = {},
                               uint32_t arch = AUDIT_ARCH_X86_64) const {
    seccomp_data data{};
    data.nr = static_cast<int>(nr);
    data.arch = arch;
    size_t i = 0;
    for (uint64_t arg : args) data.args[i++] = arg;
    return run(data);
  }

 private:
  static std::optional<uint32_t> fail(size_t pc, const std::string& why) {
    ADD_FAILURE() << "BPF interpreter: " << why << " at instruction " << pc;
    return std::nullopt;
  }

  const std::vector<sock_filter>& program_;
};

CompiledFilter compile_or_die(DenyAction action = DenyAction::kErrno) {
  auto compiled = compile_default_filter(FilterOptions{.deny_action = action});
  EXPECT_TRUE(compiled.has_value()) << compiled.error().message;
  return compiled.has_value() ? std::move(compiled).value() : CompiledFilter{};
}

class X86_64Filter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!native_is_x86_64()) GTEST_SKIP() << "these checks use x86_64 syscall numbers";
  }
};

TEST(SeccompPolicy, RequiredSyscallsAreInTheDenyList) {
  const std::vector<std::string> denied = default_denied_syscalls();
  for (const char* name : kRequiredDenied) EXPECT_THAT(denied, Contains(name));
  const std::set<std::string> unique(denied.begin(), denied.end());
  EXPECT_EQ(unique.size(), denied.size()) << "a syscall is listed twice";
  EXPECT_THAT(default_restricted_syscalls(),
              ::testing::UnorderedElementsAre("clone", "clone3", "ioctl", "personality", "socket",
                                              "socketpair", "unshare"));
}

TEST_F(X86_64Filter, LibseccompKnowsEveryRequiredName) {
  for (const char* name : kRequiredDenied) {
    EXPECT_GE(seccomp_syscall_resolve_name(name), 0) << name << " is not a syscall on x86_64";
  }
  for (const std::string& name : default_restricted_syscalls()) {
    EXPECT_GE(seccomp_syscall_resolve_name(name.c_str()), 0) << name;
  }
}

TEST(SeccompCompile, ProducesALoadableSizedProgram) {
  for (DenyAction action : {DenyAction::kErrno, DenyAction::kKill, DenyAction::kLog}) {
    const CompiledFilter compiled = compile_or_die(action);
    ASSERT_FALSE(compiled.program.empty());
    EXPECT_LE(compiled.program.size(), size_t{BPF_MAXINSNS});
    EXPECT_EQ(compiled.name, "default");
    const sock_fprog prog = compiled.fprog();
    EXPECT_EQ(prog.len, compiled.program.size());
    EXPECT_EQ(prog.filter, compiled.program.data());
    // libseccomp always starts by checking the architecture word of seccomp_data.
    EXPECT_EQ(compiled.program[0].code, BPF_LD | BPF_W | BPF_ABS);
    EXPECT_EQ(compiled.program[0].k, offsetof(seccomp_data, arch));
  }
}

TEST_F(X86_64Filter, RuleCountMatchesThePolicy) {
  const CompiledFilter compiled = compile_or_die();
  EXPECT_TRUE(compiled.skipped_syscalls.empty())
      << "skipped on x86_64: " << ::testing::PrintToString(compiled.skipped_syscalls);
  const size_t clone_flags =
      static_cast<size_t>(std::count_if(namespace_flags().begin(), namespace_flags().end(),
                                        [](const NamespaceFlag& f) { return f.applies_to_clone; }));
  const size_t expected = default_denied_syscalls().size()  // unconditional
                          + namespace_flags().size()        // unshare, one per CLONE_NEW* bit
                          + clone_flags                     // clone
                          + 1                               // clone3 -> ENOSYS
                          + 2                               // ioctl TIOCSTI, TIOCLINUX
                          + personality_deny_patterns().size() +
                          2 * 3;  // socket and socketpair: packet, vsock, netlink
  EXPECT_EQ(compiled.rule_count, expected);
  EXPECT_EQ(clone_flags, 7u);
  EXPECT_EQ(namespace_flags().size(), 8u);
}

TEST_F(X86_64Filter, PseudoFilterCodeNamesEveryRuleAndTheBadArchAction) {
  auto pfc = default_filter_pfc(FilterOptions{});
  ASSERT_TRUE(pfc.has_value()) << pfc.error().message;
  for (const std::string& name : default_denied_syscalls()) {
    if (name == "open_tree_attr") continue;  // added by number; libseccomp prints "UNKNOWN"
    EXPECT_THAT(*pfc, HasSubstr("filter for syscall \"" + name + "\"")) << name;
  }
  for (const std::string& name : default_restricted_syscalls()) {
    EXPECT_THAT(*pfc, HasSubstr("filter for syscall \"" + name + "\"")) << name;
  }
  EXPECT_THAT(*pfc, HasSubstr("(467)"));  // open_tree_attr
  EXPECT_THAT(*pfc, HasSubstr("action ERRNO(1)"));
  EXPECT_THAT(*pfc, HasSubstr("action ERRNO(38)"));  // clone3 -> ENOSYS
  EXPECT_THAT(*pfc, HasSubstr("# invalid architecture action\naction ERRNO(1);"));

  auto kill = default_filter_pfc(FilterOptions{.deny_action = DenyAction::kKill});
  ASSERT_TRUE(kill.has_value()) << kill.error().message;
  EXPECT_THAT(*kill, HasSubstr("# invalid architecture action\naction KILL_PROCESS;"));
  EXPECT_THAT(*kill, Not(HasSubstr("action ERRNO(1)")));
}

TEST_F(X86_64Filter, DeniesTheListAndAllowsEverydayCalls) {
  const CompiledFilter compiled = compile_or_die();
  const BpfRunner bpf(compiled.program);
  for (const std::string& name : default_denied_syscalls()) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr < 0) nr = *unified_syscall_number(name);
    EXPECT_EQ(bpf.call(static_cast<uint64_t>(nr)), kEperm) << name;
  }
  for (long nr : {SYS_read, SYS_write, SYS_openat, SYS_execve, SYS_getpid, SYS_mmap, SYS_exit_group,
                  SYS_seccomp, SYS_landlock_restrict_self, SYS_prctl}) {
    EXPECT_EQ(bpf.call(static_cast<uint64_t>(nr)), kAllow) << "syscall " << nr;
  }
}

TEST_F(X86_64Filter, ForeignAbisHitTheDenyAction) {
  const CompiledFilter compiled = compile_or_die();
  const BpfRunner bpf(compiled.program);
  // i386 getpid (20) through int 0x80, and x32 getpid (39 | __X32_SYSCALL_BIT).
  EXPECT_EQ(bpf.call(20, {}, AUDIT_ARCH_I386), kEperm);
  EXPECT_EQ(bpf.call(SYS_getpid | kX32Bit), kEperm);
  EXPECT_EQ(bpf.call(0x3fffffff | kX32Bit), kEperm);
  EXPECT_EQ(bpf.call(SYS_getpid, {}, AUDIT_ARCH_AARCH64), kEperm);

  const CompiledFilter killing = compile_or_die(DenyAction::kKill);
  const BpfRunner kill_bpf(killing.program);
  EXPECT_EQ(kill_bpf.call(20, {}, AUDIT_ARCH_I386), kKillProcess);
  EXPECT_EQ(kill_bpf.call(SYS_getpid | kX32Bit), kKillProcess);
}

TEST_F(X86_64Filter, NamespaceBitsAreRefusedButForkIsNot) {
  const CompiledFilter compiled = compile_or_die();
  const BpfRunner bpf(compiled.program);
  EXPECT_EQ(bpf.call(SYS_clone, {SIGCHLD}), kAllow);
  EXPECT_EQ(bpf.call(SYS_clone,
                     {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                      CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID}),
            kAllow);                                                           // pthread_create
  EXPECT_EQ(bpf.call(SYS_clone, {CLONE_VM | CLONE_VFORK | SIGCHLD}), kAllow);  // posix_spawn
  EXPECT_EQ(bpf.call(SYS_unshare, {0}), kAllow);
  EXPECT_EQ(bpf.call(SYS_unshare, {CLONE_FILES | CLONE_FS}), kAllow);
  for (const NamespaceFlag& flag : namespace_flags()) {
    EXPECT_EQ(bpf.call(SYS_unshare, {flag.bit}), kEperm) << flag.name;
    EXPECT_EQ(bpf.call(SYS_unshare, {flag.bit | CLONE_FILES | (uint64_t{1} << 40)}), kEperm)
        << flag.name;
    if (flag.applies_to_clone) {
      EXPECT_EQ(bpf.call(SYS_clone, {flag.bit | SIGCHLD}), kEperm) << flag.name;
      EXPECT_EQ(bpf.call(SYS_clone, {flag.bit | CLONE_VM | CLONE_VFORK | SIGCHLD}), kEperm)
          << flag.name;
    }
  }
  EXPECT_EQ(bpf.call(SYS_clone3, {0, 88}), kEnosys);
}

TEST_F(X86_64Filter, TerminalInjectionIoctlsIgnoreHighBits) {
  const CompiledFilter compiled = compile_or_die();
  const BpfRunner bpf(compiled.program);
  for (uint64_t request : {uint64_t{TIOCSTI}, uint64_t{TIOCLINUX}}) {
    EXPECT_EQ(bpf.call(SYS_ioctl, {0, request}), kEperm) << request;
    EXPECT_EQ(bpf.call(SYS_ioctl, {0, request | (uint64_t{1} << 32)}), kEperm) << request;
    EXPECT_EQ(bpf.call(SYS_ioctl, {0, request | 0xffffffff00000000}), kEperm) << request;
  }
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, TCGETS}), kAllow);
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, TIOCGWINSZ}), kAllow);
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, FIONREAD}), kAllow);
}

TEST_F(X86_64Filter, SocketFamilies) {
  const CompiledFilter compiled = compile_or_die();
  const BpfRunner bpf(compiled.program);
  const uint64_t high = uint64_t{1} << 32;
  for (long nr : {SYS_socket, SYS_socketpair}) {
    EXPECT_EQ(bpf.call(nr, {AF_PACKET, SOCK_RAW, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_PACKET | high, SOCK_RAW, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_VSOCK, SOCK_STREAM, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_VSOCK | high, SOCK_STREAM, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_NETLINK, SOCK_RAW, NETLINK_AUDIT}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_NETLINK | high, SOCK_RAW, NETLINK_KOBJECT_UEVENT}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER | high}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE}), kAllow);
    EXPECT_EQ(bpf.call(nr, {AF_UNIX, SOCK_STREAM, 0}), kAllow);
    EXPECT_EQ(bpf.call(nr, {AF_INET, SOCK_DGRAM, 0}), kAllow);
    EXPECT_EQ(bpf.call(nr, {AF_INET6, SOCK_STREAM, 0}), kAllow);
  }
}

// The reference the patterns must implement: the kernel reads an unsigned int, and anything
// but an allowed value (0xffffffff only queries) sets the personality.
bool personality_is_allowed(uint64_t arg) {
  const auto allowed = allowed_personalities();
  return std::find(allowed.begin(), allowed.end(), static_cast<uint32_t>(arg)) != allowed.end();
}

bool personality_patterns_deny(const std::vector<MaskedValue>& patterns, uint64_t arg) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const MaskedValue& p) { return (arg & p.mask) == p.value; });
}

std::vector<uint64_t> personality_samples() {
  std::vector<uint64_t> samples = {0x0040000,  // ADDR_NO_RANDOMIZE
                                   0x0400000,  // READ_IMPLIES_EXEC
                                   0x0100000,  // MMAP_PAGE_ZERO
                                   0x80040000, 0xfffffffe, 0x7fffffff, 0x20009, 0x20010, 1, 9};
  for (uint64_t allowed : allowed_personalities()) {
    for (uint64_t high : {uint64_t{0}, uint64_t{1} << 32, 0xffffffff00000000}) {
      samples.push_back(allowed | high);
      for (int bit = 0; bit < 32; ++bit) samples.push_back((allowed ^ (1u << bit)) | high);
    }
  }
  std::mt19937_64 rng(0x5b5eed);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t r = rng();
    samples.push_back(r);
    samples.push_back(r & 0x0fffffff);  // within the real personality bits
  }
  return samples;
}

TEST(SeccompPolicy, PersonalityPatternsMatchExactlyTheUnsafeValues) {
  const std::vector<MaskedValue> patterns = personality_deny_patterns();
  EXPECT_EQ(patterns.size(), 32u);
  for (const MaskedValue& p : patterns) EXPECT_EQ(p.mask >> 32, 0u) << "only the low 32 bits";
  for (uint64_t arg : personality_samples()) {
    EXPECT_NE(personality_patterns_deny(patterns, arg), personality_is_allowed(arg))
        << std::hex << "0x" << arg;
  }
}

TEST_F(X86_64Filter, PersonalityInTheCompiledProgram) {
  const CompiledFilter compiled = compile_or_die();
  const BpfRunner bpf(compiled.program);
  for (uint64_t arg : personality_samples()) {
    EXPECT_EQ(bpf.call(SYS_personality, {arg}), personality_is_allowed(arg) ? kAllow : kEperm)
        << std::hex << "0x" << arg;
  }
}

TEST_F(X86_64Filter, DenyActionsOtherThanErrno) {
  const CompiledFilter killing = compile_or_die(DenyAction::kKill);
  const BpfRunner kill_bpf(killing.program);
  EXPECT_EQ(kill_bpf.call(SYS_mount), kKillProcess);
  EXPECT_EQ(kill_bpf.call(SYS_unshare, {CLONE_NEWUSER}), kKillProcess);
  EXPECT_EQ(kill_bpf.call(SYS_clone3), kEnosys) << "clone3 must stay ENOSYS so libc falls back";
  EXPECT_EQ(kill_bpf.call(SYS_getpid), kAllow);

  const CompiledFilter logging = compile_or_die(DenyAction::kLog);
  const BpfRunner log_bpf(logging.program);
  EXPECT_EQ(log_bpf.call(SYS_mount), kLog);
  EXPECT_EQ(log_bpf.call(SYS_ioctl, {0, TIOCSTI}), kLog);
  EXPECT_EQ(log_bpf.call(SYS_getpid, {}, AUDIT_ARCH_I386), kLog);
  EXPECT_EQ(log_bpf.call(SYS_clone3), kEnosys);
  EXPECT_EQ(log_bpf.call(SYS_getpid), kAllow);
  EXPECT_EQ(logging.rule_count, killing.rule_count);
}

// A policy's changes to the default (FilterOptions beyond deny_action).
CompiledFilter compile_custom(const FilterOptions& options) {
  auto compiled = compile_filter(options);
  EXPECT_TRUE(compiled.has_value()) << compiled.error().message;
  return compiled.has_value() ? std::move(compiled).value() : CompiledFilter{};
}

TEST_F(X86_64Filter, PolicyDenyAndAllowLists) {
  FilterOptions options;
  options.extra_deny = {"chmod", "fchmodat"};
  options.allow = {"ptrace", "syslog"};
  const CompiledFilter compiled = compile_custom(options);
  const BpfRunner bpf(compiled.program);
  EXPECT_EQ(bpf.call(SYS_chmod), kEperm);
  EXPECT_EQ(bpf.call(SYS_fchmodat), kEperm);
  EXPECT_EQ(bpf.call(SYS_ptrace), kAllow);
  EXPECT_EQ(bpf.call(SYS_syslog), kAllow);
  EXPECT_EQ(bpf.call(SYS_mount), kEperm) << "the rest of the default list stays";
  EXPECT_EQ(bpf.call(SYS_getpid), kAllow);
  EXPECT_EQ(compiled.rule_count, compile_or_die().rule_count);  // two more, two fewer
}

TEST_F(X86_64Filter, DenyWinsOverAllow) {
  FilterOptions options;
  options.allow = {"ptrace"};
  options.extra_deny = {"ptrace"};
  const CompiledFilter compiled = compile_custom(options);
  EXPECT_EQ(BpfRunner(compiled.program).call(SYS_ptrace), kEperm);
}

TEST(SeccompCompile, AllowingWhatIsNotDeniedIsAnError) {
  FilterOptions options;
  options.allow = {"read"};
  auto compiled = compile_filter(options);
  ASSERT_FALSE(compiled.has_value());
  EXPECT_THAT(compiled.error().message, HasSubstr("read"));
}

TEST_F(X86_64Filter, DenyingARestrictedSyscallRefusesItWhole) {
  FilterOptions options;
  options.extra_deny = {"clone3", "personality", "socket"};
  options.deny_action = DenyAction::kKill;
  const CompiledFilter compiled = compile_custom(options);
  const BpfRunner bpf(compiled.program);
  EXPECT_EQ(bpf.call(SYS_clone3), kKillProcess) << "denied outright, not ENOSYS";
  EXPECT_EQ(bpf.call(SYS_personality, {0}), kKillProcess);
  EXPECT_EQ(bpf.call(SYS_socket, {AF_UNIX, SOCK_STREAM, 0}), kKillProcess);
  EXPECT_EQ(bpf.call(SYS_socketpair, {AF_UNIX, SOCK_STREAM, 0}), kAllow);
  EXPECT_EQ(bpf.call(SYS_clone, {SIGCHLD}), kAllow);
}

TEST_F(X86_64Filter, ExtraIoctlsAndSocketFamilies) {
  FilterOptions options;
  options.extra_ioctls = {TIOCSETD, TIOCSTI};  // TIOCSTI is already denied: no second rule
  options.extra_socket_families = {AF_INET6, AF_NETLINK, AF_PACKET};
  const CompiledFilter compiled = compile_custom(options);
  const BpfRunner bpf(compiled.program);
  const uint64_t high = uint64_t{1} << 32;
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, TIOCSETD}), kEperm);
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, TIOCSETD | high}), kEperm);
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, TIOCSTI}), kEperm);
  EXPECT_EQ(bpf.call(SYS_ioctl, {0, TCGETS}), kAllow);
  for (long nr : {SYS_socket, SYS_socketpair}) {
    EXPECT_EQ(bpf.call(nr, {AF_INET6, SOCK_STREAM, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_INET6 | high, SOCK_STREAM, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_NETLINK, SOCK_RAW, NETLINK_ROUTE}), kEperm) << "AF_NETLINK refused whole";
    EXPECT_EQ(bpf.call(nr, {AF_PACKET, SOCK_RAW, 0}), kEperm);
    EXPECT_EQ(bpf.call(nr, {AF_INET, SOCK_STREAM, 0}), kAllow);
    EXPECT_EQ(bpf.call(nr, {AF_UNIX, SOCK_STREAM, 0}), kAllow);
  }
  EXPECT_EQ(compiled.rule_count, compile_or_die().rule_count + 1 + 2 * 2 - 2)
      << "one ioctl rule, two families on two syscalls, no netlink-protocol rules";
}

TEST(SeccompCompile, OnlyTheDefaultRulesArePrecompiled) {
  FilterOptions options;
  options.deny_action = DenyAction::kLog;
  EXPECT_TRUE(options.is_default());
  options.extra_socket_families = {AF_INET};
  EXPECT_FALSE(options.is_default());
  EXPECT_FALSE(precompiled_default_filter(options).has_value());
}

TEST(SeccompNames, KnownSyscallNames) {
  EXPECT_TRUE(syscall_name_known("read"));
  EXPECT_TRUE(syscall_name_known("open_tree_attr"));  // newer than libseccomp 2.5.4's tables
  EXPECT_TRUE(syscall_name_known("socketcall"));      // not on x86_64, but on i386
  EXPECT_FALSE(syscall_name_known("nosuchcall"));
  EXPECT_FALSE(syscall_name_known(""));
  EXPECT_FALSE(syscall_name_known("READ"));
}

}  // namespace
}  // namespace sbx::seccomp
