// seccomp: proves filter mode works by installing a one-rule filter in a throwaway child, the
// way sbx exec installs its own (no_new_privs first, then the raw seccomp syscall).
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <string>

#include "doctor/bounded_child.h"
#include "doctor/host_files.h"
#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

enum SeccompStage : int { kNoNewPrivs = 1, kSetModeFilter, kFilterInert };

// An errno nothing else returns from getppid(), so seeing it proves the filter acted.
constexpr int kMarkerErrno = ENOANO;

// getppid -> ERRNO(ENOANO), everything else allowed. No arch check: the child only calls
// getppid, write and _exit before it dies, all native.
constexpr sock_filter kTestFilter[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (kMarkerErrno & SECCOMP_RET_DATA)),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

// Child side: async-signal-safe only.
ChildOutcome install_test_filter(const void* arg) noexcept {
  const auto* prog = static_cast<const sock_fprog*>(arg);
  // Without CAP_SYS_ADMIN the kernel only accepts a filter once no_new_privs is set.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return {kNoNewPrivs, errno};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0) {
    return {kSetModeFilter, errno};
  }
  errno = 0;
  const long ret = ::syscall(SYS_getppid);
  if (ret != -1 || errno != kMarkerErrno) return {kFilterInert, errno};
  return {};
}

std::optional<int> status_number(std::string_view field) {
  const auto text = self_status_field(field);
  if (!text) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

constexpr const char* kBestEffort = " (or accept the weaker sandbox: sbx exec --seccomp best-effort)";

}  // namespace

Check evaluate_seccomp(const SeccompFacts& f) {
  Check c{"seccomp", "seccomp filters", Level::kOk, "", ""};
  if (!f.probe_error.empty()) {
    c.level = Level::kWarn;
    c.detail = "could not test seccomp: " + f.probe_error;
    c.fix = "make sure this user may fork a process (ulimit -u) and run sbx doctor again";
    return c;
  }
  switch (f.failed_stage) {
    case 0:
      c.detail = "filter mode works (a test filter made getppid fail with ENOANO)";
      if (f.own_mode && *f.own_mode == 2) {
        c.detail += "; sbx itself already runs under " +
                    (f.own_filters ? std::to_string(*f.own_filters) : std::string("some")) +
                    " seccomp filter(s) (a container or service manager), which stay in force "
                    "inside the sandbox";
      }
      return c;
    case kNoNewPrivs:
      c.level = Level::kMissing;
      c.detail = "prctl(PR_SET_NO_NEW_PRIVS) failed: " + errno_label(f.sys_errno) +
                 "; sbx needs it for Landlock and seccomp";
      c.fix = "run sbx outside the container or security profile that forbids prctl()";
      return c;
    case kSetModeFilter:
      c.level = Level::kMissing;
      c.detail = "seccomp(SECCOMP_SET_MODE_FILTER) failed: " + errno_label(f.sys_errno);
      if (f.sys_errno == EINVAL || f.sys_errno == ENOSYS) {
        c.detail += "; the kernel is built without CONFIG_SECCOMP_FILTER";
        c.fix = std::string("use a kernel built with CONFIG_SECCOMP=y and CONFIG_SECCOMP_FILTER=y") +
                kBestEffort;
      } else {
        c.detail += "; something above sbx (a container's seccomp profile?) forbids new filters";
        c.fix = std::string("allow the seccomp() syscall in the container's profile, or run sbx on "
                            "the host") +
                kBestEffort;
      }
      return c;
    default:
      c.level = Level::kMissing;
      c.detail = "a test filter was installed but getppid was not denied (errno " +
                 std::to_string(f.sys_errno) + "): seccomp filters are not enforced here";
      c.fix = std::string("use a kernel whose seccomp filters work") + kBestEffort;
      return c;
  }
}

Check probe_seccomp() {
  SeccompFacts facts;
  facts.own_mode = status_number("Seccomp");
  facts.own_filters = status_number("Seccomp_filters");
  const sock_fprog prog{static_cast<unsigned short>(std::size(kTestFilter)),
                        const_cast<sock_filter*>(kTestFilter)};
  auto outcome = run_bounded_child(&install_test_filter, &prog, std::chrono::seconds(5));
  if (!outcome) {
    facts.probe_error = outcome.error().message;
  } else {
    facts.failed_stage = outcome->stage;
    facts.sys_errno = outcome->sys_errno;
  }
  return evaluate_seccomp(facts);
}

}  // namespace sbx::doctor
