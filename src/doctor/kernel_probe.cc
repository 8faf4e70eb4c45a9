// Kernel release and the newer syscalls sbx exec relies on. Each syscall is called with
// deliberately invalid arguments: a kernel that has it rejects them (EINVAL, EBADF, or EPERM
// where it checks privilege first), one that lacks it says ENOSYS. Nothing is created.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

constexpr KernelVersion kMinimumKernel{5, 12};  // mount_setattr, the newest syscall sbx needs
constexpr unsigned kBogusFlag = 1U << 31;       // no mount-API syscall defines this flag

SyscallTry capture(long ret) {
  return ret < 0 ? SyscallTry{ret, errno} : SyscallTry{ret, 0};
}

// Should a kernel ever accept the bogus call, the fd it returned must not leak.
SyscallTry capture_fd(long ret) {
  const SyscallTry t = capture(ret);
  if (ret >= 0) ::close(static_cast<int>(ret));
  return t;
}

SyscallTry try_clone3() {
  // A size below CLONE_ARGS_SIZE_VER0 is rejected before anything is copied or created.
  const long ret = ::syscall(SYS_clone3, nullptr, 0);
  if (ret == 0) ::_exit(0);  // unreachable with size 0; never let a stray child run on
  if (ret > 0) ::waitpid(static_cast<pid_t>(ret), nullptr, 0);
  return capture(ret);
}
SyscallTry try_pidfd_open() { return capture_fd(::syscall(SYS_pidfd_open, 0, 0)); }  // pid 0
SyscallTry try_pidfd_send_signal() {
  return capture(::syscall(SYS_pidfd_send_signal, -1, 0, nullptr, 0));  // fd -1: EBADF
}
SyscallTry try_close_range() {
  return capture(::syscall(SYS_close_range, ~0U, 0U, 0U));  // first > last: EINVAL, nothing closed
}
SyscallTry try_openat2() {
  return capture_fd(::syscall(SYS_openat2, -1, "", nullptr, 0));  // open_how size 0: EINVAL
}
SyscallTry try_open_tree() { return capture_fd(::syscall(SYS_open_tree, -1, "", kBogusFlag)); }
SyscallTry try_move_mount() {
  return capture(::syscall(SYS_move_mount, -1, "", -1, "", kBogusFlag));
}
SyscallTry try_fsopen() { return capture_fd(::syscall(SYS_fsopen, "", kBogusFlag)); }
SyscallTry try_mount_setattr() {
  return capture(::syscall(SYS_mount_setattr, -1, "", kBogusFlag, nullptr, 0));
}

bool expected(const SyscallSpec& spec, int err) {
  return (spec.expected[0] != 0 && err == spec.expected[0]) ||
         (spec.expected[1] != 0 && err == spec.expected[1]);
}

std::string expected_names(const SyscallSpec& spec) {
  std::string out = ::strerrorname_np(spec.expected[0]);
  if (spec.expected[1] != 0) out += std::string(" or ") + ::strerrorname_np(spec.expected[1]);
  return out;
}

}  // namespace

std::optional<KernelVersion> parse_kernel_release(std::string_view release) {
  KernelVersion v;
  const char* p = release.data();
  const char* end = release.data() + release.size();
  auto r = std::from_chars(p, end, v.major);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') return std::nullopt;
  r = std::from_chars(r.ptr + 1, end, v.minor);
  if (r.ec != std::errc() || v.major < 0 || v.minor < 0) return std::nullopt;
  return v;
}

Check evaluate_kernel_release(std::string_view release) {
  Check c{"kernel", "kernel version", Level::kOk, "", ""};
  const std::string needed =
      std::to_string(kMinimumKernel.major) + "." + std::to_string(kMinimumKernel.minor);
  const auto v = parse_kernel_release(release);
  if (!v) {
    c.level = Level::kWarn;
    c.detail = "cannot read a version from the release \"" + std::string(release) +
               "\"; sbx needs Linux " + needed + " or later (the syscall rows below decide)";
    c.fix = "check uname -r: sbx needs Linux " + needed + " or later";
    return c;
  }
  if (v->major < kMinimumKernel.major ||
      (v->major == kMinimumKernel.major && v->minor < kMinimumKernel.minor)) {
    c.level = Level::kMissing;
    c.detail = "Linux " + std::string(release) + " is older than " + needed +
               " (sbx needs mount_setattr and the other new mount API calls)";
    c.fix = "upgrade to Linux " + needed + " or later (Debian 12 ships 6.1, Ubuntu 22.04 5.15)";
    return c;
  }
  c.detail = "Linux " + std::string(release) + " (sbx needs " + needed + " or later)";
  return c;
}

Check probe_kernel_version() {
  utsname u{};
  if (::uname(&u) != 0) return evaluate_kernel_release("");
  return evaluate_kernel_release(u.release);
}

const std::vector<SyscallSpec>& needed_syscalls() {
  static const std::vector<SyscallSpec> specs = {
      {"clone3", "5.3", {EINVAL, 0}, &try_clone3},
      {"pidfd_open", "5.3", {EINVAL, 0}, &try_pidfd_open},
      {"pidfd_send_signal", "5.1", {EBADF, 0}, &try_pidfd_send_signal},
      {"close_range", "5.9", {EINVAL, 0}, &try_close_range},
      {"openat2", "5.6", {EINVAL, 0}, &try_openat2},
      {"open_tree", "5.2", {EINVAL, 0}, &try_open_tree},
      // move_mount and fsopen check for CAP_SYS_ADMIN before they look at the flags.
      {"move_mount", "5.2", {EINVAL, EPERM}, &try_move_mount},
      {"fsopen", "5.2", {EINVAL, EPERM}, &try_fsopen},
      {"mount_setattr", "5.12", {EINVAL, 0}, &try_mount_setattr},
  };
  return specs;
}

Check evaluate_syscall(const SyscallSpec& spec, SyscallTry result) {
  Check c{std::string("syscall.") + spec.name, std::string("syscall ") + spec.name, Level::kOk,
          "", ""};
  const std::string since = std::string("Linux ") + spec.since;
  if (result.ret >= 0) {
    c.detail = "present (since " + since + ")";
    return c;
  }
  if (result.err == ENOSYS) {
    c.level = Level::kMissing;
    c.detail = "ENOSYS: this kernel lacks it (added in " + since +
               "), or a seccomp filter above sbx (a container) hides it";
    c.fix = "upgrade to " + since + " or later; in a container, allow " + spec.name +
            " in its seccomp profile";
    return c;
  }
  if (expected(spec, result.err)) {
    c.detail = "present (since " + since + "; the invalid probe call got " +
               ::strerrorname_np(result.err) + ")";
    return c;
  }
  c.level = Level::kWarn;
  c.detail = "present, but the invalid probe call got " + errno_label(result.err) +
             " instead of " + expected_names(spec) +
             ": a seccomp filter or security module above sbx may refuse it";
  c.fix = std::string("if sbx exec fails, allow ") + spec.name +
          " in the seccomp profile of the container or service that runs sbx";
  return c;
}

std::vector<Check> probe_syscalls() {
  std::vector<Check> checks;
  for (const SyscallSpec& spec : needed_syscalls()) {
    checks.push_back(evaluate_syscall(spec, spec.attempt()));
  }
  return checks;
}

}  // namespace sbx::doctor
