// Other processes: seeing, signalling or tracing the host's, the terminal, and outliving the run.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <thread>
#include <vector>

#include "selftest/attack_util.h"

namespace sbx::selftest {
namespace {

using namespace std::chrono_literals;

Report see_host_process(const AttackContext& c) {
  const auto cmdline = read_text("/proc/" + std::to_string(c.targets.canary_pid) + "/cmdline");
  if (cmdline && cmdline->find("sleep") != std::string::npos) {
    return escaped("saw the host's canary process " + std::to_string(c.targets.canary_pid));
  }
  return blocked("/proc/" + std::to_string(c.targets.canary_pid) + ": " + (cmdline ? "another process" : errno_text()));
}

Report kill_host_process(const AttackContext& c) {
  if (::kill(c.targets.canary_pid, SIGKILL) != 0) return blocked("kill: " + errno_text());
  return escaped("sent SIGKILL to pid " + std::to_string(c.targets.canary_pid));
}

Report pidfd_signal(const AttackContext& c) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, c.targets.canary_pid, 0));
  if (fd < 0) return blocked("pidfd_open: " + errno_text());
  const long r = ::syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
  const int saved = errno;
  ::close(fd);
  if (r != 0) return blocked("pidfd_send_signal: " + errno_text(saved));
  return escaped("killed pid " + std::to_string(c.targets.canary_pid) + " through a pidfd");
}

Report ptrace_host_process(const AttackContext& c) {
  if (::ptrace(PTRACE_ATTACH, c.targets.canary_pid, nullptr, nullptr) != 0) return blocked("PTRACE_ATTACH: " + errno_text());
  ::waitpid(c.targets.canary_pid, nullptr, __WALL);
  ::ptrace(PTRACE_DETACH, c.targets.canary_pid, nullptr, nullptr);
  return escaped("attached to pid " + std::to_string(c.targets.canary_pid) + " with ptrace");
}

Report read_host_memory(const AttackContext& c) {
  const auto maps = read_text("/proc/" + std::to_string(c.targets.canary_pid) + "/maps", 4096);
  unsigned long start = 0;
  if (maps) start = std::stoul(maps->substr(0, maps->find('-')), nullptr, 16);
  char buf[64];
  iovec local{buf, sizeof buf};
  iovec remote{reinterpret_cast<void*>(start), sizeof buf};
  if (::process_vm_readv(c.targets.canary_pid, &local, 1, &remote, 1, 0) <= 0) {
    return blocked("process_vm_readv: " + errno_text());
  }
  return escaped("read memory of pid " + std::to_string(c.targets.canary_pid));
}

Report ptrace_own_child(const AttackContext&) {
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  const bool attached = ::ptrace(PTRACE_ATTACH, child, nullptr, nullptr) == 0;
  const int saved = errno;
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, __WALL);
  return attached ? escaped("ptrace works (attached to a child)") : blocked("PTRACE_ATTACH: " + errno_text(saved));
}

// Terminal input injection: stdin is a pseudo-terminal the runner made for these attacks. As in
// bubblewrap's CVE-2017-5226, the attacker first makes it its controlling terminal, which lets
// an unprivileged process push input (where dev.tty.legacy_tiocsti allows TIOCSTI at all).
Report tty_ioctl(unsigned long request, const char* what) {
  if (::isatty(STDIN_FILENO) == 0) return blocked("stdin is not a terminal");
  // In a child: a process group leader cannot start a session.
  int error = 0;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return blocked("pipe: " + errno_text());
  const int status = in_child([&] {
    ::setsid();
    ::ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    char c = '#';
    const int r = ::ioctl(STDIN_FILENO, request, &c);
    const int saved = errno;
    (void)::write(pipe_fds[1], &saved, sizeof saved);
    return r == 0 ? 0 : 1;
  });
  (void)::read(pipe_fds[0], &error, sizeof error);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  if (status == 0) return escaped(std::string(what) + " injected input into the terminal");
  return blocked(std::string(what) + ": " + (status > 128 ? "killed by signal " + std::to_string(status - 128) : errno_text(error)));
}

Report tiocsti(const AttackContext&) { return tty_ioctl(TIOCSTI, "TIOCSTI"); }

Report tiocsti_high_bits(const AttackContext&) {
  // The kernel reads the request as 32 bits; a filter that compares all 64 is bypassed.
  return tty_ioctl(TIOCSTI | (1UL << 32), "TIOCSTI with bit 32 set");
}

Report tioclinux(const AttackContext&) {
  const int fd = ::open("/dev/tty0", O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return blocked("/dev/tty0: " + errno_text());
  char subcode = 6;  // TIOCL_GETSHIFTSTATE: harmless, but proves the console is reachable
  const int r = ::ioctl(fd, TIOCLINUX, &subcode);
  const int saved = errno;
  ::close(fd);
  return r == 0 ? escaped("TIOCLINUX on the host console") : blocked("TIOCLINUX: " + errno_text(saved));
}

// The survivor writes `late-marker` in the workspace once the run should be over; the runner
// looks for it. Every survivor exits by itself a moment later.
[[noreturn]] void survive_then_mark(std::chrono::milliseconds delay) {
  std::this_thread::sleep_for(delay);
  const int fd = ::open("late-marker", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) ::close(fd);
  ::_exit(0);
}

void ignore_catchable_signals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD) ::signal(sig, SIG_IGN);
  }
}

Report survive_double_fork(const AttackContext&) {
  if (::fork() == 0) {
    ::setsid();
    if (::fork() == 0) survive_then_mark(1500ms);
    ::_exit(0);
  }
  ::wait(nullptr);
  return blocked("left a grandchild in a new session; the runner checks whether it outlived the run");
}

Report survive_ignoring_signals(const AttackContext&) {
  if (::fork() == 0) {
    ignore_catchable_signals();
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, 0);
    survive_then_mark(1500ms);
  }
  return blocked("left a child that ignores every catchable signal; the runner checks whether it outlived the run");
}

// With --timeout 1s --kill-after 1s: each variant keeps working until 4 s, long past the deadline.
Report timeout_ignore_sigterm(const AttackContext&) {
  ignore_catchable_signals();
  survive_then_mark(4000ms);
}

Report timeout_stopped(const AttackContext&) {
  // Stopped, SIGTERM stays pending; a child continues us after the deadline.
  const pid_t self = ::getpid();
  if (::fork() == 0) {
    std::this_thread::sleep_for(3500ms);
    ::kill(self, SIGCONT);
    ::_exit(0);
  }
  ::signal(SIGTERM, SIG_IGN);
  ::raise(SIGSTOP);
  survive_then_mark(500ms);
}

Report timeout_setsid_child(const AttackContext&) {
  if (::fork() == 0) {
    ::setsid();
    ignore_catchable_signals();
    survive_then_mark(4000ms);
  }
  ::pause();  // the parent dies to the polite signal, as a well-behaved program would
  return blocked("unreachable");
}

Report fork_bomb(const AttackContext&) {
  // Bounded: at most 400 children, each gone within 3 s or when this process exits.
  constexpr int kTarget = 400;
  int made = 0;
  std::vector<pid_t> children;
  for (; made < kTarget; ++made) {
    const pid_t pid = ::fork();
    if (pid < 0) break;
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      std::this_thread::sleep_for(3s);
      ::_exit(0);
    }
    children.push_back(pid);
  }
  const int saved = errno;
  for (pid_t pid : children) ::kill(pid, SIGKILL);
  for (pid_t pid : children) ::waitpid(pid, nullptr, 0);
  if (made >= kTarget) return escaped("ran " + std::to_string(made) + " processes at once");
  return blocked("fork failed after " + std::to_string(made) + " processes: " + errno_text(saved));
}

constexpr const char* kTimeoutLimits = "--timeout 1s --kill-after 1s";

constexpr std::array kAttacks = {
    Attack{"proc.see-host-process", "process", "see a host process in /proc", see_host_process},
    Attack{"proc.kill-host-process", "process", "kill a host process", kill_host_process, HostCheck::kCanaryProcess},
    Attack{"proc.pidfd-signal", "process", "kill a host process through a pidfd", pidfd_signal,
           HostCheck::kCanaryProcess},
    Attack{"proc.ptrace-host-process", "process", "ptrace a host process", ptrace_host_process},
    Attack{"proc.read-host-memory", "process", "read a host process's memory (process_vm_readv)", read_host_memory},
    Attack{"proc.ptrace-own-child", "process", "use ptrace at all", ptrace_own_child},
    Attack{"proc.tiocsti", "process", "inject input into the caller's terminal (TIOCSTI)", tiocsti,
           HostCheck::kNone, "", true},
    Attack{"proc.tiocsti-high-bits", "process", "TIOCSTI with high bits set to slip past an ioctl filter",
           tiocsti_high_bits, HostCheck::kNone, "", true},
    Attack{"proc.tioclinux", "process", "reach the host console (TIOCLINUX)", tioclinux},
    Attack{"proc.survive-double-fork", "process", "outlive the run by setsid and a double fork", survive_double_fork,
           HostCheck::kWorkspaceMarker},
    Attack{"proc.survive-ignoring-signals", "process", "outlive the run by ignoring every signal",
           survive_ignoring_signals, HostCheck::kWorkspaceMarker},
    Attack{"proc.timeout-ignore-sigterm", "process", "run past the timeout by ignoring SIGTERM",
           timeout_ignore_sigterm, HostCheck::kWorkspaceMarker, kTimeoutLimits},
    Attack{"proc.timeout-stopped", "process", "run past the timeout by stopping itself", timeout_stopped,
           HostCheck::kWorkspaceMarker, kTimeoutLimits},
    Attack{"proc.timeout-setsid-child", "process", "run past the timeout in a child in a new session",
           timeout_setsid_child, HostCheck::kWorkspaceMarker, kTimeoutLimits},
    Attack{"proc.fork-bomb", "process", "run 400 processes past a limit of 64", fork_bomb, HostCheck::kNone,
           "--pids 64 --cgroup best-effort"},
};

}  // namespace

std::span<const Attack> process_attacks() { return kAttacks; }

}  // namespace sbx::selftest
