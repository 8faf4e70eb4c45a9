// What every probe command shares: the exit-status convention and the one output format.
#pragma once

#include <unistd.h>

#include <functional>
#include <string>
#include <string_view>

namespace sbx::probe {

// The probe was misused (unknown command, bad argument); errno values never get this high.
constexpr int kUsage = 254;

// Owns a raw fd so early returns cannot leak it (the probe itself is checked for fd leaks).
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }

 private:
  int fd_;
};

// "errno=13 (EACCES)": the one format tests grep for.
std::string describe_errno(int err);

// Prints "WHAT: ok" or "WHAT: errno=N (NAME)" and returns err, to become the exit status.
int report(std::string_view what, int err);

// The result of one syscall attempt: 0 or the errno it failed with.
int errno_of(long rc);

// Runs fn in a forked child and reports how the child ended. Used for attempts that might be
// answered with SIGSYS (seccomp kill) or SIGSEGV (int 0x80 without IA32 emulation), so the probe
// still gets to print a result. Returns 0 on success, the child's errno exit, or 128+signal.
int in_child(const std::function<int()>& fn, std::string* how);

// Waits up to timeout_ms for fd to become ready for `events`. 0, or the errno (ETIMEDOUT).
int wait_ready(int fd, short events, int timeout_ms);

}  // namespace sbx::probe
