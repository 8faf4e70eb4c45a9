// Thin inline wrappers for syscalls glibc 2.36 does not wrap (the new mount API, openat2,
// pivot_root, close_range, clone3, pidfd_*). Header-only and allocation-free: the sandbox child
// uses them between clone and execve.
#pragma once

#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace sbx::sys {

inline int open_tree(int dirfd, const char* path, unsigned flags) noexcept {
  return static_cast<int>(::syscall(SYS_open_tree, dirfd, path, flags));
}
inline int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                      unsigned flags) noexcept {
  return static_cast<int>(::syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}
inline int mount_setattr(int dirfd, const char* path, unsigned flags, mount_attr* attr) noexcept {
  return static_cast<int>(::syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr)));
}
inline int fsopen(const char* fstype, unsigned flags) noexcept {
  return static_cast<int>(::syscall(SYS_fsopen, fstype, flags));
}
inline int fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux) noexcept {
  return static_cast<int>(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}
inline int fsmount(int fd, unsigned flags, unsigned attr_flags) noexcept {
  return static_cast<int>(::syscall(SYS_fsmount, fd, flags, attr_flags));
}
inline int openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve) noexcept {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}
inline int pivot_root(const char* new_root, const char* put_old) noexcept {
  return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}
inline int close_range(unsigned first, unsigned last, unsigned flags) noexcept {
  return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}
inline long clone3(clone_args* args) noexcept { return ::syscall(SYS_clone3, args, sizeof(*args)); }
inline int pidfd_send_signal(int pidfd, int sig) noexcept {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

}  // namespace sbx::sys
