// Kernel interfaces sandboxes are escaped through: new namespaces, new mounts, and the large or
// unnamespaced subsystems (bpf, perf, io_uring, userfaultfd, keys, modules, kexec).
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "selftest/attack_util.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

namespace sbx::selftest {
namespace {

Report syscall_result(long r, const std::string& what) {
  if (r < 0) return blocked(what + ": " + errno_text());
  if (r > 2) ::close(static_cast<int>(r));
  return escaped(what + " succeeded");
}

// For calls whose success would change the host: reaching the call's own argument checks
// (EBADF, EINVAL) proves the filter and the capability checks let it through.
Report reached(long r, const std::string& what) {
  if (r == 0) return escaped(what + " succeeded");
  if (errno == EPERM || errno == ENOSYS || errno == EACCES) return blocked(what + ": " + errno_text());
  return escaped(what + " passed the permission checks (" + errno_text() + ")");
}

Report nested_userns(const AttackContext&) {
  return ::unshare(CLONE_NEWUSER) == 0 ? escaped("made a user namespace") : blocked("unshare: " + errno_text());
}

Report clone_newuser(const AttackContext&) {
  const long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) ::_exit(0);
  if (pid < 0) return blocked("clone(CLONE_NEWUSER): " + errno_text());
  ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return escaped("cloned into a new user namespace");
}

Report clone3_namespaces(const AttackContext&) {
  clone_args args{};
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  const long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) ::_exit(0);
  if (pid < 0) return blocked("clone3(CLONE_NEWUSER): " + errno_text());
  ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return escaped("clone3 made a user namespace");
}

Report keyctl_add(const AttackContext&) {
  constexpr int kProcessKeyring = -2;  // KEY_SPEC_PROCESS_KEYRING: gone when this process exits
  return syscall_result(::syscall(SYS_add_key, "user", "sbx-selftest", "x", 1, kProcessKeyring),
                        "add_key to the kernel keyring");
}

Report bpf_load(const AttackContext&) {
  bpf_insn prog[2] = {};
  prog[0].code = BPF_ALU64 | BPF_MOV | BPF_K;  // r0 = 0
  prog[1].code = BPF_JMP | BPF_EXIT;
  static const char license[] = "GPL";
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insn_cnt = 2;
  attr.insns = reinterpret_cast<uint64_t>(prog);
  attr.license = reinterpret_cast<uint64_t>(license);
  return syscall_result(::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr), "bpf(BPF_PROG_LOAD)");
}

Report perf_open(const AttackContext&) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  return syscall_result(::syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0UL), "perf_event_open");
}

Report userfaultfd_open(const AttackContext&) {
  return syscall_result(::syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY), "userfaultfd");
}

Report io_uring(const AttackContext&) {
  io_uring_params params{};
  return syscall_result(::syscall(SYS_io_uring_setup, 2, &params), "io_uring_setup");
}

Report kexec(const AttackContext&) {
  Report r = reached(::syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL), "kexec_file_load");
  if (r.escaped || errno != ENOSYS) return r;
  // Kernels without kexec_file_load: kexec_load with an invalid architecture in the flags,
  // which the kernel rejects only after its permission check.
  return reached(::syscall(SYS_kexec_load, 0UL, 0UL, nullptr, 0xdead0000UL), "kexec_load");
}

Report module_load(const AttackContext&) {
  Report r = reached(::syscall(SYS_finit_module, -1, "", 0), "finit_module");
  if (r.escaped || errno != ENOSYS) return r;
  return reached(::syscall(SYS_init_module, nullptr, 0UL, ""), "init_module");
}

Report setns_join(const AttackContext& c) {
  if (c.control && !enter_own_namespaces(CLONE_NEWUTS)) return blocked("control: namespaces: " + errno_text());
  const int fd = ::open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return blocked("/proc/self/ns/uts: " + errno_text());
  const int r = ::setns(fd, CLONE_NEWUTS);
  const int saved = errno;
  ::close(fd);
  return r == 0 ? escaped("setns joined a namespace") : blocked("setns: " + errno_text(saved));
}

Report mount_fs(const AttackContext& c, const char* type, int namespaces, const char* data = nullptr) {
  if (c.control && !enter_own_namespaces(CLONE_NEWNS | namespaces)) return blocked("control: namespaces: " + errno_text());
  ::mkdir("mnt", 0755);
  if (::mount(type, "mnt", type, 0, data) != 0) return blocked(std::string("mount ") + type + ": " + errno_text());
  ::umount2("mnt", MNT_DETACH);
  return escaped(std::string("mounted a new ") + type);
}

Report mount_proc(const AttackContext& c) {
  if (!c.control) return mount_fs(c, "proc", 0);
  // proc needs a pid namespace of our own, which only a child enters.
  if (!enter_own_namespaces(CLONE_NEWNS | CLONE_NEWPID)) return blocked("control: namespaces: " + errno_text());
  const int status = in_child([] {
    ::mkdir("mnt", 0755);
    return ::mount("proc", "mnt", "proc", 0, nullptr) == 0 ? 0 : 1;
  });
  return status == 0 ? escaped("mounted a new proc") : blocked("mount proc failed in the child");
}

Report mount_sysfs(const AttackContext& c) { return mount_fs(c, "sysfs", CLONE_NEWNET); }
Report mount_tmpfs(const AttackContext& c) { return mount_fs(c, "tmpfs", 0); }

Report mount_overlay(const AttackContext& c) {
  for (const char* d : {"lower", "upper", "work"}) ::mkdir(d, 0755);
  return mount_fs(c, "overlay", 0, "lowerdir=lower,upperdir=upper,workdir=work");
}

Report fuse(const AttackContext&) {
  const int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) return blocked("/dev/fuse: " + errno_text());
  ::close(fd);
  return escaped("opened /dev/fuse");
}

Report fsopen_api(const AttackContext& c) {
  if (c.control && !enter_own_namespaces(CLONE_NEWNS)) return blocked("control: namespaces: " + errno_text());
  return syscall_result(::syscall(SYS_fsopen, "tmpfs", 0), "fsopen(tmpfs)");
}

Report open_tree_clone(const AttackContext& c) {
  if (c.control) {
    // A mount of our own to clone: mounts inherited from a more privileged namespace are locked.
    if (!enter_own_namespaces(CLONE_NEWNS)) return blocked("control: namespaces: " + errno_text());
    ::mount(".", ".", nullptr, MS_BIND, nullptr);
  }
  return syscall_result(::syscall(SYS_open_tree, AT_FDCWD, ".", OPEN_TREE_CLONE), "open_tree(OPEN_TREE_CLONE)");
}

Report set_hostname(const AttackContext& c) {
  if (c.control && !enter_own_namespaces(CLONE_NEWUTS)) return blocked("control: namespaces: " + errno_text());
  return ::sethostname("escaped", 7) == 0 ? escaped("changed the hostname") : blocked("sethostname: " + errno_text());
}

Report personality_flags(const AttackContext&) {
  const int old = ::personality(0xffffffff);
  if (::personality(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE) == -1) return blocked("personality: " + errno_text());
  ::personality(static_cast<unsigned long>(old));
  return escaped("set READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE");
}

Report foreign_arch_i386(const AttackContext&) {
  // getpid through the 32-bit entry point; a filter for x86_64 only would miss it.
  const int status = in_child([] {
    long r = 20;  // __NR_getpid on i386
    asm volatile("int $0x80" : "+a"(r) : : "memory");
    return r > 0 ? 0 : 1;
  });
  if (status == 0) return escaped("made an i386 syscall (int 0x80)");
  return blocked(status > 128 ? "killed by signal " + std::to_string(status - 128) : "the i386 syscall failed");
}

Report x32_abi(const AttackContext&) {
  constexpr long kX32Bit = 0x40000000;
  const long r = ::syscall(kX32Bit | SYS_getpid);
  return r > 0 ? escaped("made an x32 syscall") : blocked("x32 getpid: " + errno_text());
}

constexpr std::array kAttacks = {
    Attack{"kernel.nested-userns", "kernel", "create a nested user namespace", nested_userns},
    Attack{"kernel.clone-newuser", "kernel", "clone(2) into a new user namespace", clone_newuser},
    Attack{"kernel.clone3-namespaces", "kernel", "clone3(2) into a new user namespace", clone3_namespaces},
    Attack{"kernel.keyctl", "kernel", "use the kernel keyring (not namespaced)", keyctl_add},
    Attack{"kernel.bpf", "kernel", "load a BPF program", bpf_load},
    Attack{"kernel.perf-event-open", "kernel", "open a perf event", perf_open},
    Attack{"kernel.userfaultfd", "kernel", "create a userfaultfd", userfaultfd_open},
    Attack{"kernel.io-uring", "kernel", "set up an io_uring", io_uring},
    Attack{"kernel.kexec", "kernel", "reach kexec_file_load", kexec},
    Attack{"kernel.module-load", "kernel", "reach finit_module", module_load},
    Attack{"kernel.setns", "kernel", "join a namespace with setns", setns_join},
    Attack{"kernel.mount-proc", "kernel", "mount a new proc", mount_proc},
    Attack{"kernel.mount-sysfs", "kernel", "mount a new sysfs", mount_sysfs},
    Attack{"kernel.mount-tmpfs", "kernel", "mount a new tmpfs", mount_tmpfs},
    Attack{"kernel.mount-overlay", "kernel", "mount an overlay", mount_overlay},
    Attack{"kernel.fuse", "kernel", "open /dev/fuse to mount a FUSE filesystem", fuse},
    Attack{"kernel.fsopen", "kernel", "create a filesystem with the new mount API", fsopen_api},
    Attack{"kernel.open-tree", "kernel", "clone a mount tree with open_tree", open_tree_clone},
    Attack{"kernel.sethostname", "kernel", "change the hostname", set_hostname},
    Attack{"kernel.personality", "kernel", "set dangerous personality flags", personality_flags},
    Attack{"kernel.foreign-arch-i386", "kernel", "make a 32-bit (int 0x80) syscall", foreign_arch_i386},
    Attack{"kernel.x32-abi", "kernel", "make an x32 syscall", x32_abi},
};

}  // namespace

std::span<const Attack> kernel_attacks() { return kAttacks; }

}  // namespace sbx::selftest
