#include "supervisor/supervise.h"

#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "base/image_pages.h"
#include "supervisor/deadline.h"
#include "sys/raw_syscalls.h"

namespace sbx::supervisor {
namespace {

using launch::Message;
using launch::MessageKind;

// Drains every queued report; the first setup error and the program's exit are what matter.
void read_reports(int fd, std::optional<Message>& setup_error, std::optional<Message>& program_exit) {
  for (;;) {
    Message m{};
    const ssize_t n = ::recv(fd, &m, sizeof(m), MSG_DONTWAIT);
    if (n != static_cast<ssize_t>(sizeof(m))) return;
    if (m.kind == MessageKind::kSetupError && !setup_error) {
      m.what[sizeof(m.what) - 1] = '\0';
      setup_error = m;
    } else if (m.kind == MessageKind::kProgramExit) {
      program_exit = m;
    }
  }
}

timeval to_timeval(int64_t usec) {
  return {static_cast<time_t>(usec / 1000000), static_cast<suseconds_t>(usec % 1000000)};
}

rusage usage_from(const Message& m) {
  rusage u{};
  u.ru_utime = to_timeval(m.user_usec);
  u.ru_stime = to_timeval(m.system_usec);
  u.ru_maxrss = static_cast<long>(m.maxrss_kib);
  return u;
}

void apply_wait_status(int status, Outcome& o) {
  if (WIFSIGNALED(status)) {
    o.kind = Outcome::Kind::kSignaled;
    o.signal = WTERMSIG(status);
  } else {
    o.kind = Outcome::Kind::kExited;
    o.exit_code = WEXITSTATUS(status);
  }
}

// Everything the loop watches, rebuilt each round because streams and the timer come and go.
struct PollSet {
  std::vector<pollfd> fds;
  int add(int fd) {
    fds.push_back({fd, POLLIN, 0});
    return static_cast<int>(fds.size()) - 1;
  }
  bool ready(int index) const { return index >= 0 && fds[static_cast<size_t>(index)].revents != 0; }
  short revents(int index) const { return fds[static_cast<size_t>(index)].revents; }
};

}  // namespace

Result<Outcome> supervise(launch::Sandbox& sandbox, const ForwardedSignals& signals,
                          std::span<OutputStream* const> streams, const SuperviseOptions& options) {
  Outcome outcome;
  std::optional<Message> setup_error;
  std::optional<Message> program_exit;
  bool report_open = true;
  bool init_exited = false;
  SBX_ASSIGN_OR_RETURN(Deadline deadline, Deadline::arm(options.timeout, options.kill_after));
  std::optional<std::chrono::steady_clock::time_point> release_pages_at;
  if (options.release_startup_pages_after) release_pages_at = options.start + *options.release_startup_pages_after;

  for (;;) {
    PollSet set;
    const int pidfd_at = set.add(sandbox.pidfd());
    const int signals_at = set.add(signals.fd());
    const int report_at = report_open ? set.add(sandbox.report_fd()) : -1;
    const int deadline_at = deadline.fd() >= 0 ? set.add(deadline.fd()) : -1;
    std::vector<std::pair<int, OutputStream*>> stream_at;
    for (OutputStream* s : streams) {
      if (s->open()) stream_at.emplace_back(set.add(s->fd()), s);
    }
    int wait_ms = -1;
    if (release_pages_at) {
      const auto left = *release_pages_at - std::chrono::steady_clock::now();
      wait_ms = static_cast<int>(std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(left).count()));
    }
    const int ready = ::poll(set.fds.data(), set.fds.size(), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return errno_error("poll");
    }
    if (ready == 0) {
      ImagePages::of_this_executable().release_resident();
      ::malloc_trim(0);  // and the heap start-up freed
      release_pages_at.reset();
      continue;
    }
    if (set.ready(report_at)) {
      read_reports(sandbox.report_fd(), setup_error, program_exit);
      const short ev = set.revents(report_at);
      if ((ev & (POLLHUP | POLLERR)) != 0 && (ev & POLLIN) == 0) report_open = false;
    }
    if (set.ready(signals_at)) {
      while (const int sig = signals.read_one()) {
        if (sig != SIGCHLD) sys::pidfd_send_signal(sandbox.pidfd(), sig);
      }
    }
    if (set.ready(deadline_at)) {
      SBX_ASSIGN_OR_RETURN(const Deadline::Phase phase, deadline.advance());
      if (phase == Deadline::Phase::kTerminating) {
        outcome.timed_out = true;
        // The sandbox's init passes SIGTERM on to the program.
        sys::pidfd_send_signal(sandbox.pidfd(), SIGTERM);
      } else {
        // Killing init ends its PID namespace: every process in the sandbox dies with it,
        // whether it ignores SIGTERM, started a new session or is stopped.
        outcome.killed_at_timeout = true;
        sandbox.kill();
      }
    }
    for (auto [index, stream] : stream_at) {
      if (!set.ready(index)) continue;
      SBX_RETURN_IF_ERROR(stream->pump());
      if (options.kill_on_output_limit && stream->limit_exceeded() && outcome.output_limit_stream.empty()) {
        outcome.output_limit_stream = stream->name();
        sandbox.kill();
      }
    }
    if (set.ready(pidfd_at)) {
      init_exited = true;
      break;
    }
    if (program_exit && !options.wait_for_teardown) break;
  }
  int init_status = 0;
  if (init_exited || options.wait_for_teardown) {
    SBX_ASSIGN_OR_RETURN(init_status, sandbox.reap());
    outcome.duration = std::chrono::steady_clock::now() - options.start;
    ::getrusage(RUSAGE_CHILDREN, &outcome.usage);
    read_reports(sandbox.report_fd(), setup_error, program_exit);
  } else {
    // Init reported the sandbox empty and is now only tearing down its namespaces.
    outcome.duration = std::chrono::steady_clock::now() - options.start;
    sandbox.detach();
  }
  if (program_exit) outcome.usage = usage_from(*program_exit);
  for (OutputStream* s : streams) SBX_RETURN_IF_ERROR(s->drain());

  if (setup_error) {
    outcome.kind = Outcome::Kind::kSetupError;
    outcome.stage = setup_error->stage;
    outcome.sys_errno = setup_error->sys_errno;
    outcome.what = setup_error->what;
    return outcome;
  }
  // Without a report, init was killed from outside (timeout, output limit, OOM killer).
  apply_wait_status(program_exit ? program_exit->status : init_status, outcome);
  return outcome;
}

}  // namespace sbx::supervisor
