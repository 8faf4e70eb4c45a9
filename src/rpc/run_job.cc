#include "rpc/run_job.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "base/file_contents.h"
#include "rpc/encoding.h"
#include "rpc/languages.h"
#include "rpc/worker_command.h"

namespace sbx::rpc {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kStderrTail = 8 * 1024;
constexpr size_t kDefaultOutputLimit = 16u << 20;

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Status set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return errno_error("fcntl(O_NONBLOCK)");
  return {};
}

Result<UniqueFd> secrets_memfd(const std::string& content) {
  UniqueFd fd(::memfd_create("sbx-secrets", MFD_CLOEXEC));
  if (!fd.valid()) return errno_error("memfd_create");
  SBX_RETURN_IF_ERROR(write_all(fd.get(), content, "write secrets"));
  if (::lseek(fd.get(), 0, SEEK_SET) != 0) return errno_error("lseek");
  return fd;
}

// The worker's error lines ("sbx: error: exec: ...") without the prefix, joined.
std::string worker_error(const std::string& stderr_tail, int exit_status) {
  std::string message;
  size_t start = 0;
  while (start < stderr_tail.size()) {
    size_t end = stderr_tail.find('\n', start);
    if (end == std::string::npos) end = stderr_tail.size();
    std::string_view line(stderr_tail.data() + start, end - start);
    constexpr std::string_view kPrefix = "sbx: error: ";
    if (line.substr(0, kPrefix.size()) == kPrefix) {
      line.remove_prefix(kPrefix.size());
      if (!message.empty()) message += "; ";
      message.append(line);
    }
    start = end + 1;
  }
  if (message.empty()) message = "the worker exited with status " + std::to_string(exit_status) + " and no verdict";
  return message;
}

}  // namespace

const char* stream_name(OutputStream stream) { return stream == OutputStream::kStdout ? "stdout" : "stderr"; }

RunJob::RunJob(EventLoop& loop, const RunSettings& settings, RunDirectoryPool& directories, StandbyWorkers& workers,
               RunRequest request, RunCallbacks callbacks)
    : loop_(loop),
      settings_(settings),
      directories_(directories),
      workers_(workers),
      request_(std::move(request)),
      callbacks_(std::move(callbacks)) {}

RunJob::~RunJob() {
  for (auto timer : {kill_timer_, drain_timer_, deadline_timer_}) {
    if (timer) loop_.cancel(*timer);
  }
  for (auto& p : pipes_) {
    if (p.valid()) loop_.unwatch(p.get());
  }
  if (stdin_.valid()) loop_.unwatch(stdin_.get());
  if (worker_ && worker_->pidfd() >= 0) loop_.unwatch(worker_->pidfd());
  if (handoff_watched_) loop_.unwatch(handoff_.get());
  // worker_'s destructor kills and reaps a worker still running; then dir_ can go.
  worker_.reset();
  if (dir_) directories_.retire(std::move(*dir_));
}

size_t RunJob::verdict_budget() const {
  if (request_.stream) return 8u << 20;
  // Both streams inside, JSON-escaped (at worst six bytes per byte), plus the rest.
  const size_t limit = request_.limits.output_limit.value_or(kDefaultOutputLimit);
  return 2 * 6 * limit + (4u << 20);
}

Status RunJob::prepare_and_spawn() {
  SBX_ASSIGN_OR_RETURN(RunDirectory dir, directories_.take());
  dir_.emplace(std::move(dir));
  WorkerLayout layout;
  layout.binary = settings_.worker_binary;
  layout.passthrough_env = settings_.passthrough_env;
  layout.cgroup_parent = settings_.cgroup_parent;
  if (settings_.shared_workspace.empty()) {
    layout.workspace_dir = dir_->workspace();
    SBX_RETURN_IF_ERROR(write_workspace_files(dir_->workspace_fd(), request_.files, dir_->owner()));
  } else {
    layout.workspace_dir = settings_.shared_workspace;
    UniqueFd shared(::open(settings_.shared_workspace.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!shared.valid()) return errno_error("open the workspace " + settings_.shared_workspace);
    SBX_RETURN_IF_ERROR(write_workspace_files(shared.get(), request_.files, std::nullopt));
  }
  if (!request_.language.empty()) {
    const Language* language = find_language(request_.language);
    if (language == nullptr) return make_error("params.language: unknown language \"" + request_.language + "\"");
    SBX_RETURN_IF_ERROR(dir_->write_code(language->file_name, request_.code));
    layout.code_dir = dir_->code_dir();
  }
  UniqueFd secrets;
  if (!request_.secrets.empty()) {
    SBX_ASSIGN_OR_RETURN(secrets, secrets_memfd(secrets_file_content(request_.secrets)));
    layout.secrets = true;
  }
  SBX_ASSIGN_OR_RETURN(const WorkerCommand command, build_worker_command(request_, layout));

  SBX_ASSIGN_OR_RETURN(Pipe out, make_pipe());
  SBX_ASSIGN_OR_RETURN(Pipe err, make_pipe());
  Pipe report;
  if (request_.stream) {
    SBX_ASSIGN_OR_RETURN(report, make_pipe());
  }
  Pipe in;
  if (!request_.stdin_data.empty()) {
    SBX_ASSIGN_OR_RETURN(in, make_pipe());
  }

  WorkerStdio stdio;
  stdio.stdin_fd = in.read.get();
  stdio.stdout_fd = out.write.get();
  stdio.stderr_fd = err.write.get();
  stdio.fd3 = report.write.get();
  stdio.fd4 = secrets.get();
  SBX_ASSIGN_OR_RETURN(StartedWorker started, workers_.start(command, stdio));
  worker_.emplace(std::move(started.process));
  started_at_ = std::chrono::steady_clock::now();
  spdlog::debug("run: worker pid {} started", worker_->pid());
  if (started.handoff.valid()) {
    handoff_ = std::move(started.handoff);
    handoff_command_ = command;
    handoff_fds_ = {std::move(in.read), std::move(out.write), std::move(err.write), std::move(report.write),
                    std::move(secrets)};
    loop_.watch(handoff_.get(), POLLIN, [this](short revents) { on_handoff(revents); });
    handoff_watched_ = true;
  }

  pipes_[0] = std::move(out.read);
  pipes_[1] = std::move(err.read);
  pipes_[2] = std::move(report.read);
  for (int i = 0; i < 3; ++i) {
    if (!pipes_[i].valid()) continue;
    SBX_RETURN_IF_ERROR(set_nonblocking(pipes_[i].get()));
    loop_.watch(pipes_[i].get(), POLLIN, [this, i](short revents) { on_pipe(i, revents); });
  }
  if (in.write.valid()) {
    stdin_ = std::move(in.write);
    SBX_RETURN_IF_ERROR(set_nonblocking(stdin_.get()));
    loop_.watch(stdin_.get(), POLLOUT, [this](short revents) { on_stdin(revents); });
  }
  watch_worker();
  if (request_.limits.timeout) {
    // A backstop: the worker enforces the timeout itself; this catches a worker that hangs.
    const auto limit = *request_.limits.timeout + request_.limits.kill_after.value_or(std::chrono::seconds(5)) +
                       std::chrono::seconds(30);
    deadline_timer_ = loop_.after(limit, [this] {
      deadline_timer_.reset();
      cancel(SIGKILL, std::chrono::milliseconds(0), kRunFailed, "the worker did not end after its timeout");
    });
  }
  return {};
}

void RunJob::watch_worker() {
  loop_.watch(worker_->pidfd(), POLLIN, [this](short) { on_worker_exit(); });
}

void RunJob::on_handoff(short revents) {
  if (worker_job_acknowledged(handoff_.get())) {
    release_handoff();
  } else if ((revents & (POLLHUP | POLLERR)) != 0) {
    // Closed without an answer: the worker is ending, and on_worker_exit decides.
    loop_.unwatch(handoff_.get());
    handoff_watched_ = false;
  }
}

void RunJob::release_handoff() {
  if (handoff_watched_) loop_.unwatch(handoff_.get());
  handoff_watched_ = false;
  handoff_.reset();
  handoff_command_.reset();
  for (auto& fd : handoff_fds_) fd.reset();
}

Status RunJob::restart_unacknowledged() {
  WorkerStdio stdio;
  stdio.stdin_fd = handoff_fds_[0].get();
  stdio.stdout_fd = handoff_fds_[1].get();
  stdio.stderr_fd = handoff_fds_[2].get();
  stdio.fd3 = handoff_fds_[3].get();
  stdio.fd4 = handoff_fds_[4].get();
  SBX_ASSIGN_OR_RETURN(WorkerProcess fresh, WorkerProcess::spawn(handoff_command_->argv, handoff_command_->env, stdio));
  spdlog::info("run: standby worker pid {} ended before it took its job; the run went to a fresh worker, pid {}",
               worker_->pid(), fresh.pid());
  worker_.emplace(std::move(fresh));
  release_handoff();
  watch_worker();
  return {};
}

void RunJob::start() {
  if (auto started = prepare_and_spawn(); !started) {
    RunEnd end;
    end.error_code = kRunFailed;
    end.error_message = started.error().message;
    finish(std::move(end));
  }
}

void RunJob::emit(OutputStream stream, std::string_view bytes, bool final) {
  std::string& held = held_[stream == OutputStream::kStdout ? 0 : 1];
  std::string data = std::move(held);
  held.clear();
  data.append(bytes);
  if (!final) {
    const size_t tail = incomplete_utf8_tail(data);
    held.assign(data, data.size() - tail, tail);
    data.resize(data.size() - tail);
  }
  if (!data.empty() && callbacks_.on_output) callbacks_.on_output(stream, data);
}

void RunJob::on_pipe(int which, short revents) {
  char buf[kReadChunk];
  const ssize_t n = ::read(pipes_[which].get(), buf, sizeof(buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    (void)revents;
    close_pipe(which);
    return;
  }
  const std::string_view data(buf, static_cast<size_t>(n));
  const bool verdict_pipe = request_.stream ? which == 2 : which == 0;
  if (verdict_pipe) {
    if (verdict_text_.size() + data.size() > verdict_budget()) {
      cancel(SIGKILL, std::chrono::milliseconds(0), kRunFailed, "the worker's verdict is larger than expected");
      verdict_text_.clear();
      close_pipe(which);
      return;
    }
    verdict_text_.append(data);
    return;
  }
  if (which == 1) {
    stderr_tail_.append(data);
    if (stderr_tail_.size() > kStderrTail) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTail);
  }
  if (request_.stream) emit(which == 0 ? OutputStream::kStdout : OutputStream::kStderr, data, /*final=*/false);
}

void RunJob::close_pipe(int which) {
  if (!pipes_[which].valid()) return;
  loop_.unwatch(pipes_[which].get());
  pipes_[which].reset();
  if (request_.stream && which < 2) emit(which == 0 ? OutputStream::kStdout : OutputStream::kStderr, {}, true);
  finish_if_done();
}

void RunJob::on_stdin(short revents) {
  if ((revents & (POLLERR | POLLHUP)) == 0) {
    const std::string& data = request_.stdin_data;
    const ssize_t n = ::write(stdin_.get(), data.data() + stdin_written_, data.size() - stdin_written_);
    if (n > 0) stdin_written_ += static_cast<size_t>(n);
    if ((n < 0 && (errno == EAGAIN || errno == EINTR)) || (n >= 0 && stdin_written_ < data.size())) return;
  }
  // Written in full, or the program will never read the rest (EPIPE): either way, EOF.
  loop_.unwatch(stdin_.get());
  stdin_.reset();
}

void RunJob::on_worker_exit() {
  loop_.unwatch(worker_->pidfd());
  auto status = worker_->reap();
  if (handoff_.valid()) {
    // A standby worker that ended without acknowledging its job never started the run (and was
    // not told to end by this server): the run is given whole to a fresh worker instead.
    if (!worker_job_acknowledged(handoff_.get()) && !signalled_) {
      auto restarted = restart_unacknowledged();
      if (restarted) return;
      cancel_code_ = kRunFailed;
      cancel_reason_ = "its standby worker ended before taking the job, and starting another failed: " +
                       restarted.error().message;
    }
    release_handoff();
  }
  wait_status_ = status ? *status : W_EXITCODE(125, 0);
  if (kill_timer_) {
    loop_.cancel(*kill_timer_);
    kill_timer_.reset();
  }
  if (stdin_.valid()) {
    loop_.unwatch(stdin_.get());
    stdin_.reset();
  }
  // The sandbox died with the worker, so the pipes reach EOF at once; this only guards
  // against a descriptor leaked to somewhere unexpected.
  arm_drain_timer();
  finish_if_done();
}

void RunJob::arm_drain_timer() {
  drain_timer_ = loop_.after(settings_.drain_pipes, [this] {
    drain_timer_.reset();
    if (paused_) {
      arm_drain_timer();  // output waits for a slow client; that is not a leak
      return;
    }
    for (int i = 0; i < 3; ++i) close_pipe(i);
  });
}

void RunJob::finish_if_done() {
  if (finished_ || !wait_status_) return;
  for (const auto& p : pipes_) {
    if (p.valid()) return;
  }
  RunEnd end;
  end.exit_status = exit_status_of(*wait_status_);
  end.stderr_tail = stderr_tail_;
  if (!verdict_text_.empty()) {
    Json verdict = Json::parse(verdict_text_, nullptr, /*allow_exceptions=*/false);
    if (verdict.is_object()) end.verdict = std::move(verdict);
  }
  if (!end.verdict) {
    if (cancel_code_ != 0) {
      end.error_code = cancel_code_;
      end.error_message = cancel_reason_;
    } else {
      end.error_code = kRunFailed;
      end.error_message = worker_error(stderr_tail_, end.exit_status);
    }
  }
  finish(std::move(end));
}

void RunJob::finish(RunEnd end) {
  if (finished_) return;
  finished_ = true;
  if (worker_) {
    end.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_at_).count();
  }
  // Deferred: the owner may destroy this job from on_end, which must not happen while one of
  // its own handlers is running.
  loop_.defer([cb = std::move(callbacks_.on_end), end = std::move(end)]() mutable {
    if (cb) cb(std::move(end));
  });
}

void RunJob::cancel(int sig, std::chrono::milliseconds grace, int error_code, std::string reason) {
  if (finished_ || !worker_ || wait_status_) return;
  if (cancel_code_ == 0) {
    cancel_code_ = error_code;
    cancel_reason_ = std::move(reason);
  }
  if (grace.count() == 0) sig = SIGKILL;
  signalled_ = true;
  worker_->signal(sig);
  if (sig != SIGKILL && !kill_timer_) {
    kill_timer_ = loop_.after(grace, [this] {
      kill_timer_.reset();
      if (worker_) worker_->signal(SIGKILL);
    });
  }
}

bool RunJob::signal(int sig) {
  if (finished_ || !worker_ || wait_status_) return false;
  signalled_ = true;
  worker_->signal(sig);
  return true;
}

void RunJob::update_backpressure() {
  if (!request_.stream || !callbacks_.output_blocked) return;
  const bool blocked = callbacks_.output_blocked();
  if (blocked == paused_) return;
  paused_ = blocked;
  for (int i = 0; i < 2; ++i) {
    if (pipes_[i].valid()) loop_.set_paused(pipes_[i].get(), blocked);
  }
}

}  // namespace sbx::rpc
