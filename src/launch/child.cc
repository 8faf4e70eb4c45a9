// The sandbox child: everything between clone3 and execve. It becomes PID 1 of the new pid
// namespace, builds the root file system from the PreludePlan and then the ChildPlan the parent
// publishes, confines itself, and forks the program, staying behind as a minimal init.
//
// Async-signal-safe by construction: only syscalls and byte copies on the plan the parent built.
// No allocation, no logging, no exceptions (compiled with -fno-exceptions). A failing step sends
// one fixed-size Message to the parent and exits; the parent explains it.

#include "launch/child.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include "landlock/apply.h"
#include "launch/sync.h"
#include "sys/fd_passing.h"
#include "sys/raw_syscalls.h"

namespace sbx::launch {
namespace {

constexpr unsigned kCloneTreeFlags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE;
constexpr uint64_t kResolveInRoot = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

void copy_cstr(char* dst, size_t cap, const char* src) noexcept {
  size_t i = 0;
  for (; src != nullptr && src[i] != '\0' && i + 1 < cap; ++i) dst[i] = src[i];
  dst[i] = '\0';
}

void send_message(int fd, const Message& message) noexcept {
  // SEQPACKET keeps the message whole; a failed send leaves nothing better to do.
  (void)!::send(fd, &message, sizeof(message), MSG_NOSIGNAL);
}

[[noreturn]] void report_failure(int report_fd, Stage stage, const char* what, int err, int exit_code) noexcept {
  send_message(report_fd, failure_message(MessageKind::kSetupError, stage, err, what));
  ::_exit(exit_code);
}

[[noreturn]] void fail_with(int report_fd, Stage stage, const char* what, int err, int exit_code = 125) noexcept {
  report_failure(report_fd, stage, what, err, exit_code);
}

[[noreturn]] void fail(int report_fd, Stage stage, const char* what) noexcept {
  fail_with(report_fd, stage, what, errno);
}

void close_quietly(int fd) noexcept {
  if (fd >= 0) ::close(fd);
}

// Closes every inherited fd except stdio and the report socket, whatever the caller leaked into
// sbx. close_range is 5.9+; sbx requires 5.12 for mount_setattr anyway.
void close_inherited_fds(int report_fd) noexcept {
  if (report_fd > 3) sys::close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
  sys::close_range(static_cast<unsigned>(report_fd < 3 ? 3 : report_fd + 1), ~0U, 0);
}

void reset_signal_dispositions() noexcept {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);  // EINVAL for the signals glibc reserves; harmless
  }
}

// A descriptor of ours must not sit on 0, 1 or 2 (possible when the caller closed its stdio):
// the dup2 onto stdout would replace it, or keep close-on-exec on it.
int above_stdio(int fd) noexcept {
  if (fd < 0 || fd > STDERR_FILENO) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return moved;
}

int received_fd(int index, const int* fds, int count) noexcept {
  return index >= 0 && index < count ? fds[index] : -1;
}

// One message from the parent's side of the socket, with up to `max_fds` descriptors (moved off
// stdio). Returns the number of descriptors; EOF or a malformed message means the parent died or
// gave up: nothing may run.
int receive_message(int report_fd, Message& m, int* fds, int max_fds) noexcept {
  constexpr int kMaxFds = 3;
  int received[kMaxFds];
  const sys::ReceivedMessage r =
      sys::receive_with_fds(report_fd, &m, sizeof(m), received, max_fds < kMaxFds ? max_fds : kMaxFds);
  if (r.bytes != static_cast<ssize_t>(sizeof(m)) || (r.msg_flags & MSG_CTRUNC) != 0) ::_exit(125);
  for (int i = 0; i < r.fd_count; ++i) fds[i] = above_stdio(received[i]);
  return r.fd_count;
}

// Waits for the prelude message, then takes the published prelude.
PreludePlan receive_prelude(const ChildStart& start, int report_fd) noexcept {
  Message m{};
  int none = -1;
  receive_message(report_fd, m, &none, 0);
  if (m.kind != MessageKind::kPrelude) ::_exit(125);
  return *start.prelude;
}

// Waits for the go message, then takes the published plan and its descriptors.
ChildPlan receive_plan(const ChildStart& start, int report_fd) noexcept {
  constexpr int kMaxFds = 3;
  Message m{};
  int fds[kMaxFds] = {-1, -1, -1};
  const int count = receive_message(report_fd, m, fds, kMaxFds);
  if (m.kind != MessageKind::kGo) ::_exit(125);
  ChildPlan plan = *start.plan;
  plan.report_fd = report_fd;
  plan.stdout_fd = received_fd(plan.stdout_fd, fds, count);
  plan.stderr_fd = received_fd(plan.stderr_fd, fds, count);
  plan.landlock.ruleset_fd = received_fd(plan.landlock.ruleset_fd, fds, count);
  return plan;
}

// Enters the network namespace the helper made (netns_helper.h), which the parent starts once
// it has sent the plan; its message follows the go message. Needs CAP_SYS_ADMIN in the user
// namespace, so it comes before confine(). Without the namespace nothing runs: this process is
// still in the network namespace it was cloned in.
void join_network(const ChildPlan& plan) noexcept {
  Message m{};
  int fd = -1;
  const int count = receive_message(plan.report_fd, m, &fd, 1);
  if (m.kind != MessageKind::kNetns) ::_exit(125);
  if (count == 0) {
    m.what[sizeof(m.what) - 1] = '\0';
    const char* what = m.what[0] != '\0' ? m.what : "network helper";
    fail_with(plan.report_fd, Stage::kNetwork, what, m.sys_errno != 0 ? m.sys_errno : EPROTO);
  }
  if (::setns(fd, CLONE_NEWNET) != 0) fail(plan.report_fd, Stage::kNetwork, "setns (network namespace)");
  close_quietly(fd);
}

void set_identity(const IdentityPlan& identity, int report_fd) noexcept {
  // Keep the userns capabilities across setresuid even when the host uid was root (an unmapped
  // kuid 0); they are dropped explicitly later.
  if (::prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) != 0) {
    fail(report_fd, Stage::kIdentity, "prctl(PR_SET_SECUREBITS)");
  }
  if (identity.clear_groups && ::setgroups(0, nullptr) != 0) {
    fail(report_fd, Stage::kIdentity, "setgroups");
  }
  if (::setresgid(identity.gid, identity.gid, identity.gid) != 0) {
    fail(report_fd, Stage::kIdentity, "setresgid");
  }
  if (::setresuid(identity.uid, identity.uid, identity.uid) != 0) {
    fail(report_fd, Stage::kIdentity, "setresuid");
  }
  // Set after the credential change, which would reset it. If sbx died before this line the
  // socket shows a hangup: exit rather than run without a supervisor.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(report_fd, Stage::kSync, "PR_SET_PDEATHSIG");
  pollfd pfd{report_fd, 0, 0};
  if (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)) != 0) ::_exit(125);
}

// Sandbox path "/a/b" -> "a/b" for *at() calls relative to the new root.
const char* relative(const char* path) noexcept {
  while (*path == '/') ++path;
  return *path == '\0' ? "." : path;
}

int resolve_in_root(int root_fd, const char* path) noexcept {
  return sys::openat2(root_fd, relative(path), O_PATH | O_CLOEXEC, kResolveInRoot);
}

// Opens `path` inside the new root, creating missing directories (and a final empty file when
// !want_dir) on the way. Resolution is confined to the root, so a symlink planted in a bound
// directory can never place a mount outside the sandbox.
int ensure_path(int root_fd, const char* path, bool want_dir) noexcept {
  char buf[PATH_MAX];
  copy_cstr(buf, sizeof(buf), relative(path));
  const size_t len = std::strlen(buf);
  int parent = ::fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
  if (parent < 0) return -1;
  if (std::strcmp(buf, ".") == 0) return parent;
  size_t start = 0;
  for (;;) {
    size_t end = start;
    while (end < len && buf[end] != '/') ++end;
    const bool last = end >= len;
    const char saved = buf[end];
    buf[end] = '\0';
    int fd = sys::openat2(root_fd, buf, O_PATH | O_CLOEXEC, kResolveInRoot);
    if (fd < 0 && errno == ENOENT) {
      const char* leaf = buf + start;
      if (!last || want_dir) {
        if (::mkdirat(parent, leaf, 0755) != 0 && errno != EEXIST) {
          close_quietly(parent);
          return -1;
        }
      } else {
        const int created = ::openat(parent, leaf, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (created < 0 && errno != EEXIST) {
          close_quietly(parent);
          return -1;
        }
        close_quietly(created);
      }
      fd = sys::openat2(root_fd, buf, O_PATH | O_CLOEXEC, kResolveInRoot);
    }
    const int saved_errno = errno;
    close_quietly(parent);
    errno = saved_errno;
    if (fd < 0) return -1;
    buf[end] = saved;
    if (last) return fd;
    parent = fd;
    start = end + 1;
    while (start < len && buf[start] == '/') ++start;
    if (start >= len) return fd;
  }
}

// Splits "/etc/passwd" into the opened parent directory and the leaf "passwd".
int ensure_parent(int root_fd, const char* path, char (&leaf)[NAME_MAX + 1]) noexcept {
  char parent[PATH_MAX];
  copy_cstr(parent, sizeof(parent), path);
  char* slash = std::strrchr(parent, '/');
  if (slash == nullptr) {
    errno = EINVAL;
    return -1;
  }
  copy_cstr(leaf, sizeof(leaf), slash + 1);
  if (slash == parent) {
    parent[1] = '\0';
  } else {
    *slash = '\0';
  }
  return ensure_path(root_fd, parent, /*want_dir=*/true);
}

// Creates a filesystem with the new mount API and attaches it at target_fd. `options` is
// "key=value,key=value".
int mount_filesystem(const char* fstype, const char* options, unsigned attrs, int target_fd) noexcept {
  const int fs = sys::fsopen(fstype, FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  char opts[256];
  copy_cstr(opts, sizeof(opts), options);
  char* cursor = opts;
  while (cursor != nullptr && *cursor != '\0') {
    char* comma = std::strchr(cursor, ',');
    if (comma != nullptr) *comma = '\0';
    char* eq = std::strchr(cursor, '=');
    int rc;
    if (eq != nullptr) {
      *eq = '\0';
      rc = sys::fsconfig(fs, FSCONFIG_SET_STRING, cursor, eq + 1, 0);
    } else {
      rc = sys::fsconfig(fs, FSCONFIG_SET_FLAG, cursor, nullptr, 0);
    }
    if (rc != 0) {
      close_quietly(fs);
      return -1;
    }
    cursor = comma != nullptr ? comma + 1 : nullptr;
  }
  if (sys::fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    close_quietly(fs);
    return -1;
  }
  const int mnt = sys::fsmount(fs, FSMOUNT_CLOEXEC, attrs);
  close_quietly(fs);
  if (mnt < 0) return -1;
  const int rc = sys::move_mount(mnt, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  const int saved = errno;
  close_quietly(mnt);
  errno = saved;
  return rc;
}

int set_attrs(int fd, uint64_t attrs, unsigned flags) noexcept {
  mount_attr attr{};
  attr.attr_set = attrs;
  return sys::mount_setattr(fd, "", AT_EMPTY_PATH | flags, &attr);
}

// Clones the bind sources of `list` from the host's paths. The root tmpfs covers the staging
// directory, so sources are cloned before it is attached, unless none of them lies in or above
// that directory (PreludePlan::build_now): then the rest's are cloned after.
void clone_bind_sources(const MountList& list, int report_fd) noexcept {
  for (size_t i = 0; i < list.count; ++i) {
    const MountOp& op = list.ops[i];
    list.fds[i] = -1;
    if (op.kind != MountOpKind::kBind) continue;
    int tree;
    if (op.source_untrusted) {
      // Canonicalized in the parent; any symlink now means the path changed under us.
      const int src = sys::openat2(AT_FDCWD, op.source, O_PATH | O_CLOEXEC, RESOLVE_NO_SYMLINKS);
      if (src < 0) fail(report_fd, Stage::kMounts, op.source);
      tree = sys::open_tree(src, "", kCloneTreeFlags | AT_EMPTY_PATH);
      const int saved = errno;
      close_quietly(src);
      errno = saved;
    } else {
      tree = sys::open_tree(AT_FDCWD, op.source, kCloneTreeFlags | AT_SYMLINK_NOFOLLOW);
    }
    if (tree < 0) {
      if (errno == ENOENT && op.optional) continue;
      fail(report_fd, Stage::kMounts, op.source);
    }
    uint64_t attrs = MOUNT_ATTR_NOSUID;
    if (!op.allow_devices) attrs |= MOUNT_ATTR_NODEV;
    if (op.read_only) attrs |= MOUNT_ATTR_RDONLY;
    if (set_attrs(tree, attrs, AT_RECURSIVE) != 0) fail(report_fd, Stage::kMounts, op.source);
    list.fds[i] = tree;
  }
}

int make_read_only(int target_fd) noexcept {
  if (set_attrs(target_fd, MOUNT_ATTR_RDONLY, 0) == 0) return 0;
  if (errno != EINVAL) return -1;
  // Not a mount root (e.g. /proc/sys): bind it onto itself, then make that bind read-only.
  const int tree = sys::open_tree(target_fd, "", kCloneTreeFlags | AT_EMPTY_PATH);
  if (tree < 0) return -1;
  int rc = set_attrs(tree, MOUNT_ATTR_RDONLY, AT_RECURSIVE);
  if (rc == 0) rc = sys::move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  const int saved = errno;
  close_quietly(tree);
  errno = saved;
  return rc;
}

// Makes the detached `tree` a read-only mount and attaches it at `target` (-1: the lookup failed,
// errno says why). Closes both.
int attach_read_only(int tree, int target) noexcept {
  int rc = target < 0 ? -1 : set_attrs(tree, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, AT_RECURSIVE);
  if (rc == 0) rc = sys::move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  const int saved = errno;
  close_quietly(target);
  close_quietly(tree);
  errno = saved;
  return rc;
}

int write_all(int fd, const char* data, size_t len) noexcept {
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return 0;
}

// The directory the previous step's target was created in. Most steps land in a directory the
// step before used (/etc, /dev), and re-resolving it component by component costs more than the
// step itself. A mount onto that directory or one above it hides what the fd refers to, so such
// a mount forgets it.
struct ParentDirCache {
  char path[PATH_MAX];  // "/etc"; "" for the root
  int fd = -1;

  void forget() noexcept {
    close_quietly(fd);
    fd = -1;
  }

  void forget_if_covered_by(const char* mount_target) noexcept {
    if (fd < 0) return;
    const size_t n = std::strlen(mount_target);
    if (std::strncmp(path, mount_target, n) == 0 && (path[n] == '\0' || path[n] == '/')) forget();
  }
};

// ensure_parent through the cache; the returned fd belongs to the cache.
int cached_parent(ParentDirCache& cache, int root_fd, const char* path, char (&leaf)[NAME_MAX + 1]) noexcept {
  const char* slash = std::strrchr(path, '/');
  const size_t parent_len = slash == nullptr ? 0 : static_cast<size_t>(slash - path);
  if (cache.fd >= 0 && parent_len < sizeof(cache.path) && std::strncmp(cache.path, path, parent_len) == 0 &&
      cache.path[parent_len] == '\0') {
    copy_cstr(leaf, sizeof(leaf), slash + 1);
    return cache.fd;
  }
  cache.forget();
  const int fd = ensure_parent(root_fd, path, leaf);
  if (fd < 0) return -1;
  if (parent_len < sizeof(cache.path)) {
    std::memcpy(cache.path, path, parent_len);
    cache.path[parent_len] = '\0';
    cache.fd = fd;
  }
  return fd;
}

// ensure_path with the parent directory from the cache: creates the last component when missing
// (a directory, or an empty file when !want_dir) and opens it, resolved inside the root as
// ensure_path does. Creating first and ignoring EEXIST saves a lookup on the common path, a fresh
// tmpfs; EEXIST wins over EROFS, so an existing target in a read-only mount still works.
int ensure_target(ParentDirCache& dirs, int root_fd, const char* path, bool want_dir) noexcept {
  if (std::strcmp(relative(path), ".") == 0) return ensure_path(root_fd, path, want_dir);
  char leaf[NAME_MAX + 1];
  const int parent = cached_parent(dirs, root_fd, path, leaf);
  if (parent < 0) return -1;
  if (want_dir) {
    if (::mkdirat(parent, leaf, 0755) != 0 && errno != EEXIST) return -1;
  } else {
    // A file made here (O_EXCL, no symlink followed, in a parent resolved inside the root) is
    // the target itself: its descriptor serves move_mount as well as an O_PATH one would.
    const int created = ::openat(parent, leaf, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (created >= 0) return created;
    if (errno != EEXIST) return -1;
  }
  return resolve_in_root(root_fd, path);
}

// Returns 0, or -1 with errno set. Optional targets that do not exist are skipped.
int apply_mount_op(const MountList& list, size_t index, int root_fd, ParentDirCache& dirs) noexcept {
  const MountOp& op = list.ops[index];
  const unsigned move_flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
  switch (op.kind) {
    case MountOpKind::kBind: {
      const int tree = list.fds[index];
      if (tree < 0) return 0;  // optional source absent
      const int target = ensure_target(dirs, root_fd, op.target, op.target_is_dir);
      if (target < 0) return -1;
      const int rc = sys::move_mount(tree, "", target, "", move_flags);
      const int saved = errno;
      close_quietly(target);
      close_quietly(tree);
      list.fds[index] = -1;
      dirs.forget_if_covered_by(op.target);
      errno = saved;
      return rc;
    }
    case MountOpKind::kBindFromRoot: {
      const int source = resolve_in_root(root_fd, op.source);
      if (source < 0) return -1;
      const int tree = sys::open_tree(source, "", kCloneTreeFlags | AT_EMPTY_PATH);
      const int saved = errno;
      close_quietly(source);
      errno = saved;
      if (tree < 0) return -1;
      return attach_read_only(tree, ensure_target(dirs, root_fd, op.target, /*want_dir=*/false));
    }
    case MountOpKind::kTmpfs:
    case MountOpKind::kProc:
    case MountOpKind::kDevpts: {
      const int target = ensure_target(dirs, root_fd, op.target, /*want_dir=*/true);
      if (target < 0) return -1;
      int rc;
      if (op.kind == MountOpKind::kTmpfs) {
        unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        if (op.read_only) attrs |= MOUNT_ATTR_RDONLY;
        rc = mount_filesystem("tmpfs", op.data, attrs, target);
      } else if (op.kind == MountOpKind::kProc) {
        rc = mount_filesystem("proc", "", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, target);
      } else {
        rc = mount_filesystem("devpts", "ptmxmode=0666,mode=0620", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                              target);
      }
      const int saved = errno;
      close_quietly(target);
      dirs.forget_if_covered_by(op.target);
      errno = saved;
      return rc;
    }
    case MountOpKind::kMkdir: {
      const int target = ensure_target(dirs, root_fd, op.target, /*want_dir=*/true);
      close_quietly(target);
      return target < 0 ? -1 : 0;
    }
    case MountOpKind::kSymlink:
    case MountOpKind::kWriteFile: {
      char leaf[NAME_MAX + 1];
      const int parent = cached_parent(dirs, root_fd, op.target, leaf);
      if (parent < 0) return -1;
      int rc = 0;
      if (op.kind == MountOpKind::kSymlink) {
        rc = ::symlinkat(op.source, parent, leaf);
      } else {
        const int fd = ::openat(parent, leaf, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, op.mode);
        rc = fd < 0 ? -1 : write_all(fd, op.data, op.data_len);
        const int saved = errno;
        close_quietly(fd);
        errno = saved;
      }
      return rc;
    }
    case MountOpKind::kMaskWithNull:
    case MountOpKind::kMakeReadOnly: {
      const int target = resolve_in_root(root_fd, op.target);
      if (target < 0) return errno == ENOENT && op.optional ? 0 : -1;
      int rc;
      if (op.kind == MountOpKind::kMakeReadOnly) {
        rc = make_read_only(target);
      } else {
        // The host's /dev/null is still reachable: pivot_root has not happened yet.
        const int null_tree = sys::open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        rc = null_tree < 0 ? -1 : sys::move_mount(null_tree, "", target, "", move_flags);
        const int saved = errno;
        close_quietly(null_tree);
        errno = saved;
      }
      const int saved = errno;
      close_quietly(target);
      dirs.forget_if_covered_by(op.target);
      errno = saved;
      return rc;
    }
  }
  errno = EINVAL;
  return -1;
}

// The root under construction: the root tmpfs, and the directory the last step used.
struct RootBuild {
  int fd = -1;
  ParentDirCache dirs;
};

void apply_mounts(const MountList& list, RootBuild& root, int report_fd) noexcept {
  for (size_t i = 0; i < list.count; ++i) {
    if (apply_mount_op(list, i, root.fd, root.dirs) != 0) fail(report_fd, Stage::kMounts, list.ops[i].target);
  }
}

// Attaches the root tmpfs on the staging directory and applies the prelude's steps. Every bind
// source the staging directory could hide has been cloned by now (PreludePlan::build_now).
void start_root(const PreludePlan& prelude, RootBuild& root, int report_fd) noexcept {
  if (::mount("tmpfs", prelude.staging_dir, "tmpfs", MS_NOSUID | MS_NODEV, prelude.root_tmpfs_options) != 0) {
    fail(report_fd, Stage::kMounts, "root tmpfs");
  }
  root.fd = ::open(prelude.staging_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root.fd < 0) fail(report_fd, Stage::kMounts, prelude.staging_dir);
  apply_mounts(prelude.mounts, root, report_fd);
}

void enter_root(RootBuild& root, int report_fd) noexcept {
  root.dirs.forget();
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
  // only the new root, with no path back to the host's file system.
  if (::fchdir(root.fd) != 0) fail(report_fd, Stage::kPivot, "chdir to the new root");
  close_quietly(root.fd);
  root.fd = -1;
  if (sys::pivot_root(".", ".") != 0) fail(report_fd, Stage::kPivot, "pivot_root");
  if (::umount2(".", MNT_DETACH) != 0) fail(report_fd, Stage::kPivot, "detach the old root");
  if (::chdir("/") != 0) fail(report_fd, Stage::kPivot, "chdir /");
}

void apply_rlimits(const ChildPlan& plan) noexcept {
  for (size_t i = 0; i < plan.rlimit_count; ++i) {
    const RlimitSetting& r = plan.rlimits[i];
    rlimit64 value{r.soft, r.hard};
    if (::prlimit64(0, static_cast<__rlimit_resource>(r.resource), &value, nullptr) != 0) {
      fail(plan.report_fd, Stage::kRlimits, r.name);
    }
  }
}

void drop_capabilities(const ChildPlan& plan) noexcept {
  // NOROOT: uid 0 inside (--uid 0) must not regain capabilities through execve.
  const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                             SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
  if (::prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) fail(plan.report_fd, Stage::kCapabilities, "securebits");
  for (int cap = 0; cap <= plan.last_cap; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      fail(plan.report_fd, Stage::kCapabilities, "PR_CAPBSET_DROP");
    }
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    fail(plan.report_fd, Stage::kCapabilities, "clear ambient capabilities");
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) fail(plan.report_fd, Stage::kCapabilities, "capset");
}

void confine(const ChildPlan& plan) noexcept {
  if (::sethostname(plan.hostname, std::strlen(plan.hostname)) != 0) {
    fail(plan.report_fd, Stage::kHostname, plan.hostname);
  }
  apply_rlimits(plan);
  if (::chdir(plan.workdir) != 0) fail(plan.report_fd, Stage::kWorkdir, plan.workdir);
  drop_capabilities(plan);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(plan.report_fd, Stage::kNoNewPrivs, "PR_SET_NO_NEW_PRIVS");
  if (plan.landlock.ruleset_fd >= 0) {
    const char* failed = nullptr;
    if (landlock::apply_in_child(plan.landlock, &failed) != 0) fail(plan.report_fd, Stage::kLandlock, failed);
    close_quietly(plan.landlock.ruleset_fd);
  }
  if (plan.seccomp.len > 0 &&
      ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &plan.seccomp) != 0) {
    fail(plan.report_fd, Stage::kSeccomp, "seccomp(SECCOMP_SET_MODE_FILTER)");
  }
}

// execvp without allocation: PATH entries are joined in a stack buffer. Returns only on
// failure, with the most telling errno (EACCES beats ENOENT, as in execvp).
void exec_program(const ChildPlan& plan) noexcept {
  const char* file = plan.argv[0];
  char* const* argv = const_cast<char* const*>(plan.argv);
  char* const* envp = const_cast<char* const*>(plan.envp);
  if (std::strchr(file, '/') != nullptr) {
    ::execve(file, argv, envp);
    return;
  }
  int best_errno = ENOENT;
  const char* p = plan.path_env;
  char candidate[PATH_MAX];
  const size_t file_len = std::strlen(file);
  while (p != nullptr) {
    const char* colon = std::strchr(p, ':');
    size_t dir_len = colon != nullptr ? static_cast<size_t>(colon - p) : std::strlen(p);
    if (dir_len == 0) {  // empty entry means the current directory
      candidate[0] = '.';
      dir_len = 1;
    } else if (dir_len < sizeof(candidate)) {
      std::memcpy(candidate, p, dir_len);
    }
    if (dir_len + 1 + file_len < sizeof(candidate)) {
      candidate[dir_len] = '/';
      std::memcpy(candidate + dir_len + 1, file, file_len + 1);
      ::execve(candidate, argv, envp);
      if (errno == EACCES || errno == ENOEXEC || errno == EPERM) best_errno = errno;
    }
    p = colon != nullptr ? colon + 1 : nullptr;
  }
  errno = best_errno;
}

[[noreturn]] void run_program(const ChildPlan& plan) noexcept {
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  exec_program(plan);
  const int err = errno;
  fail_with(plan.report_fd, Stage::kExec, plan.argv[0], err, err == ENOENT ? 127 : 126);
}

// Kills and reaps whatever the program left running. kill(-1) from PID 1 reaches every other
// process in the namespace; it is repeated before each wait so a fork racing the first kill
// cannot leave a survivor behind.
//
// A process whose parent dies is re-parented to init (or to a living subreaper below it), so
// while anything the program started is alive or unreaped, init has a child. With none left the
// kill is skipped: kill(-1) walks every process on the host, which on a busy host costs more
// than the rest of a short run's end.
void empty_the_sandbox() noexcept {
  for (;;) {
    int status = 0;
    const pid_t exited = ::waitpid(-1, &status, WNOHANG);
    if (exited < 0 && errno == ECHILD) return;
    if (exited > 0) continue;
    ::kill(-1, SIGKILL);
    if (::waitpid(-1, &status, 0) < 0 && errno == ECHILD) return;
  }
}

int64_t to_usec(const timeval& tv) noexcept {
  return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

// PID 1 of the sandbox: reaps everything, forwards signals to the program, and when the program
// ends, empties the sandbox and reports. The report is the end of the run for the supervisor:
// nothing is left running, and the namespaces' teardown (unmounting the whole tree is the slow
// part) happens in init's exit, after the caller has its result. Once the program has run for
// a moment, init lets go of sbx's code pages (ImagePages); a quick run never pays for that.
[[noreturn]] void run_init(const ChildPlan& plan, pid_t program, const ImagePages& image_pages) noexcept {
  sigset_t all;
  sigfillset(&all);
  bool pages_held = true;
  constexpr auto kReleaseNs = std::chrono::nanoseconds(kReleaseImagePagesAfter).count();
  const timespec release_after{kReleaseNs / 1000000000, kReleaseNs % 1000000000};
  for (;;) {
    siginfo_t info{};
    const int sig = pages_held ? ::sigtimedwait(&all, &info, &release_after) : ::sigwaitinfo(&all, &info);
    if (sig < 0) {
      if (errno == EAGAIN && pages_held) {
        image_pages.release_resident();
        pages_held = false;
      }
      continue;
    }
    if (sig != SIGCHLD) {
      ::kill(program, sig);
      continue;
    }
    int status = 0;
    pid_t reaped;
    while ((reaped = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (reaped != program) continue;
      // Our copies of the output pipes go first, so the supervisor sees EOF once the
      // sandbox is empty.
      ::close(STDIN_FILENO);
      ::close(STDOUT_FILENO);
      ::close(STDERR_FILENO);
      empty_the_sandbox();
      Message m{};
      m.kind = MessageKind::kProgramExit;
      m.status = status;
      rusage usage{};
      if (::getrusage(RUSAGE_CHILDREN, &usage) == 0) {
        m.user_usec = to_usec(usage.ru_utime);
        m.system_usec = to_usec(usage.ru_stime);
        m.maxrss_kib = usage.ru_maxrss;
      }
      send_message(plan.report_fd, m);
      ::_exit(0);
    }
  }
}

// Puts the supervisor's pipes in place of stdout/stderr. dup2 clears close-on-exec on the copy;
// the received originals are closed, or init would hold the pipes open after the program ends.
void redirect_output(const ChildPlan& plan) noexcept {
  if (plan.stdout_fd >= 0 && ::dup2(plan.stdout_fd, STDOUT_FILENO) < 0) fail(plan.report_fd, Stage::kStdio, "dup2 stdout");
  if (plan.stderr_fd >= 0 && ::dup2(plan.stderr_fd, STDERR_FILENO) < 0) fail(plan.report_fd, Stage::kStdio, "dup2 stderr");
  close_quietly(plan.stdout_fd);
  close_quietly(plan.stderr_fd);
}

}  // namespace

[[noreturn]] void child_main(const ChildStart& start) noexcept {
  // With the caller's stdio closed the socket may have landed on 0-2, where stdout would replace it.
  const int report_fd = above_stdio(start.report_fd);
  close_inherited_fds(report_fd);
  reset_signal_dispositions();
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);  // init waits for signals with sigwaitinfo
  // Owned by the user namespace clone3 made, exactly as if clone3 had made them; nothing of the
  // host is reachable through them before the plan says what to mount.
  if (::unshare(start.unshare_flags) != 0) {
    report_failure(report_fd, Stage::kNamespaces, "unshare", errno, 125);
  }
  // Nothing mounted from here on may propagate back to the host's mount namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    report_failure(report_fd, Stage::kMounts, "make / private", errno, 125);
  }

  // The prelude arrives while the parent is still inspecting the host for the rest of the plan,
  // and the root is started on it in the meantime when nothing of the rest can be in the way.
  const PreludePlan prelude = receive_prelude(start, report_fd);
  set_identity(prelude.identity, report_fd);
  RootBuild root;
  clone_bind_sources(prelude.mounts, report_fd);
  if (prelude.build_now) start_root(prelude, root, report_fd);

  const ChildPlan plan = receive_plan(start, report_fd);
  // The parent is done planning: the program gets exactly the caller's CPUs.
  if (start.cpus.restore() != 0) fail(plan.report_fd, Stage::kSync, "restore the caller's CPU affinity");
  redirect_output(plan);
  clone_bind_sources(plan.mounts, report_fd);
  if (!prelude.build_now) start_root(prelude, root, report_fd);
  apply_mounts(plan.mounts, root, report_fd);
  enter_root(root, report_fd);
  if (start.join_network) join_network(plan);
  confine(plan);

  // A new session without a controlling terminal: the program cannot TIOCSTI into the caller's.
  if (::setsid() < 0) fail(plan.report_fd, Stage::kFork, "setsid");
  // Non-dumpable: the program, running as the same uid, cannot ptrace init or read its fds.
  // execve makes the program itself dumpable again.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) fail(plan.report_fd, Stage::kFork, "PR_SET_DUMPABLE");
  // vfork: the program's process shares init's memory until it execs, so starting it costs no
  // page-table copy. run_program never returns and only makes async-signal-safe calls.
  const pid_t pid = ::vfork();
  if (pid < 0) fail(plan.report_fd, Stage::kFork, "vfork");
  if (pid == 0) run_program(plan);
  // The program has exec'd (or failed): nothing reads the plan's strings any more.
  ::munmap(const_cast<void*>(start.plan_mapping), start.plan_mapping_size);
  run_init(plan, pid, start.image_pages);
}

}  // namespace sbx::launch
