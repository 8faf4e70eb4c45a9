// Attempts the seccomp filter must refuse: one syscall class per try-syscall name, terminal
// input injection, and syscalls through foreign x86 ABIs.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/kexec.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands.h"
#include "probe_util.h"

namespace sbx::probe {
namespace {

// Each attempt must be harmless even when it succeeds, because the e2e suite also runs the
// probe on the host, possibly as root, to show what the kernel alone would answer. So paths
// point at things that do not exist and arguments are invalid: the kernel then answers ENOENT,
// EINVAL or EBADF, never changing anything, while a seccomp rule answers EPERM before it looks.
// (A probe that unmounted /proc or unloaded a kexec image "to see if it could" would do exactly
// that on the host.)
constexpr char kMissing[] = "/nonexistent-sbx-probe";

int try_mount() { return errno_of(::mount("sbx-probe", kMissing, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m")); }

int try_umount() { return errno_of(::umount2(kMissing, UMOUNT_NOFOLLOW)); }

int try_pivot_root() { return errno_of(::syscall(SYS_pivot_root, kMissing, kMissing)); }

int try_unshare(int flags) { return errno_of(::unshare(flags)); }

// clone(2) with a namespace flag; the child (if any) exits at once.
int try_clone_ns(unsigned long flags) {
  const long rc = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (rc < 0) return errno;
  if (rc == 0) ::_exit(0);
  ::waitpid(static_cast<pid_t>(rc), nullptr, 0);
  return 0;
}

int try_clone3() {
  clone_args args{};
  args.exit_signal = SIGCHLD;
  const long rc = ::syscall(SYS_clone3, &args, sizeof(args));
  if (rc < 0) return errno;
  if (rc == 0) ::_exit(0);
  ::waitpid(static_cast<pid_t>(rc), nullptr, 0);
  return 0;
}

int try_fork() {
  const pid_t pid = ::fork();
  if (pid < 0) return errno;
  if (pid == 0) ::_exit(0);
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return errno;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

int try_bpf() {
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  const long fd = ::syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
  if (fd < 0) return errno;
  ::close(static_cast<int>(fd));
  return 0;
}

int try_keyctl() {
  return errno_of(::syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

int try_add_key() {
  return errno_of(::syscall(SYS_add_key, "user", "sbx-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
}

int try_request_key() {
  return errno_of(::syscall(SYS_request_key, "user", "sbx-probe", nullptr, KEY_SPEC_PROCESS_KEYRING));
}

int try_perf() {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  const long fd = ::syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) return errno;
  ::close(static_cast<int>(fd));
  return 0;
}

int try_userfaultfd() {
  const long fd = ::syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
  if (fd < 0) return errno;
  ::close(static_cast<int>(fd));
  return 0;
}

int try_io_uring() {
  io_uring_params params{};
  const long fd = ::syscall(SYS_io_uring_setup, 4, &params);
  if (fd < 0) return errno;
  ::close(static_cast<int>(fd));
  return 0;
}

// Attaches to our own child: allowed by Yama scope 1 and by plain uid checks, so only a
// seccomp rule (or missing capability at scope 2+) can refuse it.
int try_ptrace() {
  const pid_t child = ::fork();
  if (child < 0) return errno;
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  const int err = errno_of(::ptrace(PTRACE_ATTACH, child, nullptr, nullptr));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  return err;
}

int try_process_vm_readv() {
  char src[8] = "sbx";
  char dst[8] = {};
  iovec local{dst, sizeof(dst)};
  iovec remote{src, sizeof(src)};
  return errno_of(::syscall(SYS_process_vm_readv, ::getpid(), &local, 1UL, &remote, 1UL, 0UL));
}

int try_open_by_handle() {
  // file_handle ends in a flexible array, so it lives at the front of a suitably aligned buffer.
  alignas(file_handle) unsigned char storage[sizeof(file_handle) + MAX_HANDLE_SZ] = {};
  auto* handle = reinterpret_cast<file_handle*>(storage);
  handle->handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  // A real handle for "/" when the filesystem supports one; otherwise a made-up one, which the
  // kernel still has to refuse on permission grounds before it looks at the contents.
  if (::name_to_handle_at(AT_FDCWD, "/", handle, &mount_id, 0) != 0) {
    handle->handle_bytes = 8;
    handle->handle_type = 1;
  }
  Fd root(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const int fd = ::open_by_handle_at(root.valid() ? root.get() : AT_FDCWD, handle, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

int try_socket(int domain, int type, int protocol) {
  const int fd = ::socket(domain, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

// No segments would mean "unload the loaded image"; an unknown flag bit makes it EINVAL instead.
int try_kexec() { return errno_of(::syscall(SYS_kexec_load, 0, 0, nullptr, KEXEC_ARCH_DEFAULT | 0x8000)); }

int try_init_module() { return errno_of(::syscall(SYS_init_module, nullptr, 0, "")); }

int try_finit_module() { return errno_of(::syscall(SYS_finit_module, -1, "", 0)); }

int try_delete_module() { return errno_of(::syscall(SYS_delete_module, "sbx_probe_none", O_NONBLOCK)); }

int try_swapon() { return errno_of(::swapon(kMissing, 0)); }

// An invalid command: even a caller with CAP_SYS_BOOT only gets EINVAL.
int try_reboot() {
  return errno_of(::syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0x5b5b5b5b, nullptr));
}

// acct(NULL) would switch accounting off; a file that cannot be opened changes nothing.
int try_acct() { return errno_of(::acct("/nonexistent-sbx-probe/acct")); }

int try_chroot() { return errno_of(::chroot("/")); }

int try_setns() {
  Fd ns(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) return errno;
  return errno_of(::setns(ns.get(), CLONE_NEWNET));
}

int try_fsopen() {
  const long fd = ::syscall(SYS_fsopen, "tmpfs", 0x1 /* FSOPEN_CLOEXEC */);
  if (fd < 0) return errno;
  ::close(static_cast<int>(fd));
  return 0;
}

int try_open_tree() {
  const long fd = ::syscall(SYS_open_tree, AT_FDCWD, "/tmp", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
  if (fd < 0) return errno;
  ::close(static_cast<int>(fd));
  return 0;
}

int try_quotactl() {
  return errno_of(::syscall(SYS_quotactl, 0x800007 /* QCMD(Q_SYNC, USRQUOTA) */, nullptr, 0, nullptr));
}

using Attempt = int (*)();

const std::map<std::string_view, Attempt>& syscall_table() {
  static const std::map<std::string_view, Attempt> table = {
      {"mount", try_mount},
      {"umount", try_umount},
      {"pivot-root", try_pivot_root},
      {"unshare-user", [] { return try_unshare(CLONE_NEWUSER); }},
      {"unshare-mount", [] { return try_unshare(CLONE_NEWNS); }},
      {"unshare-net", [] { return try_unshare(CLONE_NEWNET); }},
      {"clone-newuser", [] { return try_clone_ns(CLONE_NEWUSER); }},
      {"clone3", try_clone3},
      {"fork", try_fork},
      {"bpf", try_bpf},
      {"keyctl", try_keyctl},
      {"add-key", try_add_key},
      {"request-key", try_request_key},
      {"perf", try_perf},
      {"userfaultfd", try_userfaultfd},
      {"io_uring", try_io_uring},
      {"ptrace", try_ptrace},
      {"process-vm-readv", try_process_vm_readv},
      {"open-by-handle", try_open_by_handle},
      {"socket-packet", [] { return try_socket(AF_PACKET, SOCK_RAW, htons(0x0003 /* ETH_P_ALL */)); }},
      {"socket-vsock", [] { return try_socket(AF_VSOCK, SOCK_STREAM, 0); }},
      {"socket-netlink-audit", [] { return try_socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT); }},
      {"socket-netlink-route", [] { return try_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE); }},
      {"kexec", try_kexec},
      {"init-module", try_init_module},
      {"finit-module", try_finit_module},
      {"delete-module", try_delete_module},
      {"swapon", try_swapon},
      {"reboot", try_reboot},
      {"acct", try_acct},
      {"chroot", try_chroot},
      {"setns", try_setns},
      {"fsopen", try_fsopen},
      {"open-tree", try_open_tree},
      {"quotactl", try_quotactl},
  };
  return table;
}

// Pushes a byte into a terminal's input queue: the classic sandbox escape. The kernel only lets
// a process do that to its controlling terminal, so when fd 0 is a terminal the attempts run in
// a child that starts a new session and takes fd 0 as its controlling terminal first (the test
// hands in a pty nobody else controls): then only a seccomp rule can refuse TIOCSTI. Each
// request is also tried with high bits set (the kernel only looks at the low 32 bits, so a
// filter comparing all 64 would miss it), plus TIOCLINUX, which a pty would answer with ENOTTY
// and only a filter with EPERM. Exit 0 if any attempt worked; EPERM if every attempt got EPERM;
// otherwise the first other errno.
int tiocsti_attempts() {
  std::vector<std::pair<std::string, int>> fds = {{"fd0", 0}, {"fd1", 1}, {"fd2", 2}};
  if (::isatty(0)) {
    if (::setsid() < 0) report("setsid", errno);
    report("TIOCSCTTY fd0", errno_of(::ioctl(0, TIOCSCTTY, 0)));
  }
  Fd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.valid()) {
    fds.emplace_back("/dev/tty", tty.get());
  } else {
    std::printf("open /dev/tty: %s (skipped)\n", describe_errno(errno).c_str());
  }
  struct Request {
    const char* name;
    unsigned long value;
  };
  const Request requests[] = {
      {"TIOCSTI", TIOCSTI},
      {"TIOCSTI|1<<32", TIOCSTI | (1UL << 32)},
      {"TIOCLINUX", TIOCLINUX},
      {"TIOCLINUX|1<<32", TIOCLINUX | (1UL << 32)},
  };
  bool any_ok = false;
  int other = 0;
  for (const auto& [fd_name, fd] : fds) {
    for (const auto& req : requests) {
      // TIOCSTI takes the byte to inject; TIOCLINUX subcode 7 (TIOCL_GETSHIFTSTATE) only reads.
      char arg = (req.value & 0xffffffffUL) == TIOCLINUX ? 7 : '\n';
      const long rc = ::syscall(SYS_ioctl, fd, req.value, &arg);
      const int err = rc < 0 ? errno : 0;
      report(std::string(req.name) + " " + fd_name, err);
      if (err == 0) any_ok = true;
      if (err != 0 && err != EPERM && other == 0) other = err;
    }
  }
  if (any_ok) return 0;
  return other != 0 ? other : EPERM;
}

}  // namespace

std::vector<std::string_view> syscall_names() {
  std::vector<std::string_view> names;
  for (const auto& [name, attempt] : syscall_table()) names.push_back(name);
  return names;
}

int cmd_try_syscall(const char* name) {
  const auto& table = syscall_table();
  const auto it = table.find(name);
  if (it == table.end()) {
    std::fprintf(stderr, "sbx-probe: unknown syscall class %s\n", name);
    return kUsage;
  }
  return report(name, it->second());
}

int cmd_tiocsti() {
  std::string how;
  const int rc = in_child(tiocsti_attempts, &how);
  std::printf("tiocsti: %s\n", how.c_str());
  return rc;
}

// Syscalls through the other x86 ABIs. A seccomp filter that checks only syscall numbers for
// x86_64 would let `int $0x80` reach the i386 table, where numbers mean different things.
int cmd_foreign_abi() {
#if defined(__x86_64__)
  std::string how;
  const int i386 = in_child(
      [] {
        long ret = 20;  // __NR_getpid on i386
        __asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "cc");
        return ret > 0 ? 0 : static_cast<int>(-ret);
      },
      &how);
  std::printf("i386 getpid via int 0x80: %s\n", how.c_str());
  const int x32 = in_child(
      [] {
        const long x32_bit = 0x40000000;
        return errno_of(::syscall(x32_bit | SYS_getpid));
      },
      &how);
  std::printf("x32 getpid: %s\n", how.c_str());
  return i386 == 0 || x32 == 0 ? 0 : 1;
#else
  std::printf("foreign-abi: only implemented on x86_64\n");
  return kUsage;
#endif
}

}  // namespace sbx::probe
