// The least a sandbox with every layer the performance targets name can do: the floor (floor.cc)
// plus uid and gid maps, a read-only root of its own with the host's /usr, /proc and /dev/null,
// pivot_root, no capabilities, an rlimit, Landlock and sbx's default seccomp filter, then execve.
// It is generous to itself: no init (the program is PID 1), no loopback, no /etc, /tmp or
// workspace, no private mount propagation, no output handling, one Landlock rule and no error
// report beyond an exit status; and it is linked like sbx. No sandbox with these layers can do
// less work, so bench/run shows it next to sbx: a throughput or memory target it misses is out
// of reach for any implementation on the same host. Latency can beat it only by overlapping the
// work on several CPUs (sbx makes the network namespace while the child mounts). It expects a
// merged-/usr host (Debian 12 and later): elsewhere /bin is missing inside, and bench/run's probe
// run fails, so the tool is skipped with the reason.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "landlock/uapi.h"
#include "seccomp/precompiled.h"
#include "sys/raw_syscalls.h"

namespace {

// Exit statuses naming the step that failed, so a broken host shows up as failures, not speed.
enum Failure : int {
  kMounts = 120,
  kPivot = 121,
  kCapabilities = 122,
  kLandlock = 123,
  kSeccomp = 124,
  kExec = 127,
};

constexpr std::array<std::string_view, 6> kUsrLinks{"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

bool write_file(const char* path, const char* text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const auto len = static_cast<ssize_t>(std::strlen(text));
  const bool ok = ::write(fd, text, static_cast<size_t>(len)) == len;
  ::close(fd);
  return ok;
}

struct Plan {
  char* const* argv;
  sock_fprog filter;
  int maps_ready_fd;  // read end: EOF once the parent has written the id maps
  std::array<std::array<char, 32>, kUsrLinks.size()> link_targets;
};

// What needs no id map: the root tmpfs and the detached mounts to be placed in it.
struct Pieces {
  int root = -1;
  int usr = -1;
  int null_dev = -1;
  int proc = -1;
};

int prepare_root(Pieces& p) {
  if (::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755") != 0) return kMounts;
  p.root = ::open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
  p.usr = sbx::sys::open_tree(AT_FDCWD, "/usr", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  mount_attr read_only{};
  read_only.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (p.root < 0 || p.usr < 0 || sbx::sys::mount_setattr(p.usr, "", AT_EMPTY_PATH | AT_RECURSIVE, &read_only) != 0) {
    return kMounts;
  }
  p.null_dev = sbx::sys::open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  const int proc_fs = sbx::sys::fsopen("proc", FSOPEN_CLOEXEC);
  if (p.null_dev < 0 || proc_fs < 0 || sbx::sys::fsconfig(proc_fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return kMounts;
  }
  p.proc = sbx::sys::fsmount(proc_fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  return p.proc < 0 ? kMounts : 0;
}

// Creating files in the tmpfs needs the id map: an unmapped owner is EOVERFLOW.
int finish_root(const Plan& plan, const Pieces& p) {
  for (size_t i = 0; i < kUsrLinks.size(); ++i) {
    if (plan.link_targets[i][0] == '\0') continue;
    if (::symlinkat(plan.link_targets[i].data(), p.root, kUsrLinks[i].data()) != 0) return kMounts;
  }
  if (::mkdirat(p.root, "usr", 0755) != 0 || ::mkdirat(p.root, "proc", 0555) != 0 ||
      ::mkdirat(p.root, "dev", 0755) != 0) {
    return kMounts;
  }
  const int null_file = ::openat(p.root, "dev/null", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (null_file < 0) return kMounts;
  ::close(null_file);
  constexpr unsigned kMove = MOVE_MOUNT_F_EMPTY_PATH;
  if (sbx::sys::move_mount(p.usr, "", p.root, "usr", kMove) != 0 ||
      sbx::sys::move_mount(p.null_dev, "", p.root, "dev/null", kMove) != 0 ||
      sbx::sys::move_mount(p.proc, "", p.root, "proc", kMove) != 0) {
    return kMounts;
  }
  mount_attr root_read_only{};
  root_read_only.attr_set = MOUNT_ATTR_RDONLY;
  if (sbx::sys::mount_setattr(p.root, "", AT_EMPTY_PATH, &root_read_only) != 0) return kMounts;
  if (::fchdir(p.root) != 0 || sbx::sys::pivot_root(".", ".") != 0 || ::umount2(".", MNT_DETACH) != 0 ||
      ::chdir("/") != 0) {
    return kPivot;
  }
  return 0;
}

int drop_capabilities() {
  const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
  if (::prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) return kCapabilities;
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return kCapabilities;
  return 0;
}

int restrict_paths() {
  sbx::landlock::RulesetAttr attr{};
  attr.handled_access_fs = (LANDLOCK_ACCESS_FS_IOCTL_DEV << 1) - 1;
  const int ruleset = static_cast<int>(::syscall(__NR_landlock_create_ruleset, &attr, sizeof attr, 0));
  if (ruleset < 0) return kLandlock;
  sbx::landlock::PathBeneathAttr rule{};
  rule.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  rule.parent_fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rule.parent_fd < 0 ||
      ::syscall(__NR_landlock_add_rule, ruleset, sbx::landlock::kRulePathBeneath, &rule, 0) != 0 ||
      ::syscall(__NR_landlock_restrict_self, ruleset, 0) != 0) {
    return kLandlock;
  }
  return 0;
}

// Runs in the new namespaces. Only syscalls: the parent is single-threaded, but the point is to
// measure the kernel's share, not an allocator's.
[[noreturn]] void child_main(const Plan& plan) {
  Pieces pieces;
  int rc = prepare_root(pieces);
  char done = 0;
  if (rc == 0) ::read(plan.maps_ready_fd, &done, 1);
  if (rc == 0) rc = finish_root(plan, pieces);
  if (rc == 0) rc = drop_capabilities();
  const rlimit no_core{0, 0};
  if (rc == 0 && ::setrlimit(RLIMIT_CORE, &no_core) != 0) rc = kCapabilities;
  if (rc == 0 && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) rc = kSeccomp;
  if (rc == 0) rc = restrict_paths();
  if (rc == 0 && ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &plan.filter) != 0) rc = kSeccomp;
  if (rc == 0) ::execv(plan.argv[0], plan.argv);
  _exit(rc == 0 ? kExec : rc);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sbx-bench-least PROGRAM [ARG...]\n");
    return 125;
  }
  const auto filter = sbx::seccomp::precompiled_default_filter(sbx::seccomp::FilterOptions{});
  if (!filter) {
    std::fprintf(stderr, "sbx-bench-least: no precompiled default seccomp filter\n");
    return 125;
  }
  Plan plan{};
  plan.argv = argv + 1;
  plan.filter = filter->fprog();
  for (size_t i = 0; i < kUsrLinks.size(); ++i) {
    const std::string path = "/" + std::string(kUsrLinks[i]);
    const ssize_t n = ::readlink(path.c_str(), plan.link_targets[i].data(), plan.link_targets[i].size() - 1);
    plan.link_targets[i][n > 0 ? static_cast<size_t>(n) : 0] = '\0';
  }
  int maps_ready[2];
  if (::pipe2(maps_ready, O_CLOEXEC) != 0) return 125;
  plan.maps_ready_fd = maps_ready[0];

  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  args.exit_signal = SIGCHLD;
  const long pid = sbx::sys::clone3(&args);
  if (pid < 0) {
    std::fprintf(stderr, "sbx-bench-least: clone3: %s\n", std::strerror(errno));
    return 125;
  }
  if (pid == 0) {
    ::close(maps_ready[1]);
    child_main(plan);
  }
  ::close(maps_ready[0]);
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string uid_map = std::to_string(getuid()) + " " + std::to_string(getuid()) + " 1\n";
  const std::string gid_map = std::to_string(getgid()) + " " + std::to_string(getgid()) + " 1\n";
  const bool mapped = write_file((proc + "/uid_map").c_str(), uid_map.c_str()) &&
                      write_file((proc + "/setgroups").c_str(), "deny") &&
                      write_file((proc + "/gid_map").c_str(), gid_map.c_str());
  if (!mapped) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
  }
  ::close(maps_ready[1]);
  int status = 0;
  while (::waitpid(static_cast<pid_t>(pid), &status, 0) < 0) {
    if (errno != EINTR) return 125;
  }
  if (!mapped) return 125;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
