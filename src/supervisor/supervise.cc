#include "supervisor/supervise.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <optional>

#include "sys/raw_syscalls.h"

namespace sbx::supervisor {
namespace {

using launch::Message;
using launch::MessageKind;

// Drains every queued report; the first setup error and the program's exit are what matter.
void read_reports(int fd, std::optional<Message>& setup_error, std::optional<int>& program_status) {
  for (;;) {
    Message m{};
    const ssize_t n = ::recv(fd, &m, sizeof(m), MSG_DONTWAIT);
    if (n != static_cast<ssize_t>(sizeof(m))) return;
    if (m.kind == MessageKind::kSetupError && !setup_error) {
      m.what[sizeof(m.what) - 1] = '\0';
      setup_error = m;
    } else if (m.kind == MessageKind::kProgramExit) {
      program_status = m.status;
    }
  }
}

Outcome from_wait_status(int status) {
  Outcome o;
  if (WIFSIGNALED(status)) {
    o.kind = Outcome::Kind::kSignaled;
    o.signal = WTERMSIG(status);
  } else {
    o.exit_code = WEXITSTATUS(status);
  }
  return o;
}

}  // namespace

Result<Outcome> supervise(launch::Sandbox& sandbox, const ForwardedSignals& signals) {
  std::optional<Message> setup_error;
  std::optional<int> program_status;
  bool report_open = true;
  for (;;) {
    pollfd fds[3] = {
        {sandbox.pidfd(), POLLIN, 0},
        {signals.fd(), POLLIN, 0},
        {report_open ? sandbox.report_fd() : -1, POLLIN, 0},
    };
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return errno_error("poll");
    }
    if (fds[2].revents != 0) {
      read_reports(sandbox.report_fd(), setup_error, program_status);
      if ((fds[2].revents & (POLLHUP | POLLERR)) != 0 && (fds[2].revents & POLLIN) == 0) report_open = false;
    }
    if (fds[1].revents != 0) {
      while (const int sig = signals.read_one()) {
        if (sig != SIGCHLD) sys::pidfd_send_signal(sandbox.pidfd(), sig);
      }
    }
    if (fds[0].revents != 0) break;
  }
  SBX_ASSIGN_OR_RETURN(const int init_status, sandbox.reap());
  read_reports(sandbox.report_fd(), setup_error, program_status);

  if (setup_error) {
    Outcome o;
    o.kind = Outcome::Kind::kSetupError;
    o.stage = setup_error->stage;
    o.sys_errno = setup_error->sys_errno;
    o.what = setup_error->what;
    return o;
  }
  if (program_status) return from_wait_status(*program_status);
  // Init died without reporting: it was killed from outside (OOM killer, SIGKILL).
  return from_wait_status(init_status);
}

}  // namespace sbx::supervisor
