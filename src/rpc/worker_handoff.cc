#include "rpc/worker_handoff.h"

#include <sys/socket.h>

#include <cerrno>
#include <charconv>

#include "sys/fd_passing.h"

namespace sbx::rpc {
namespace {

constexpr std::string_view kMagic = "sbx-worker-job/1";
constexpr char kAcknowledgement = 'A';

void append_field(std::string& out, std::string_view field) {
  out.append(field);
  out.push_back('\0');
}

// The next NUL-terminated field of `rest`, which it then no longer holds.
std::optional<std::string_view> next_field(std::string_view& rest) {
  const size_t end = rest.find('\0');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view field = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return field;
}

std::optional<size_t> parse_count(std::string_view text) {
  size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::array<int, kWorkerJobFds> stdio_fds(const WorkerStdio& stdio) {
  return {stdio.stdin_fd, stdio.stdout_fd, stdio.stderr_fd, stdio.fd3, stdio.fd4};
}

}  // namespace

std::string encode_worker_job(const WorkerJob& job) {
  std::string out;
  append_field(out, kMagic);
  append_field(out, std::to_string(job.fd_mask));
  append_field(out, std::to_string(job.argv.size()));
  for (const auto& arg : job.argv) append_field(out, arg);
  for (const auto& var : job.env) append_field(out, var);
  return out;
}

Result<WorkerJob> decode_worker_job(std::string_view payload) {
  WorkerJob job;
  std::string_view rest = payload;
  const auto magic = next_field(rest);
  if (!magic || *magic != kMagic) return make_error("worker job: not an sbx worker job (bad magic)");
  const auto mask_text = next_field(rest);
  const auto mask = mask_text ? parse_count(*mask_text) : std::nullopt;
  if (!mask || *mask >= (1u << kWorkerJobFds)) return make_error("worker job: bad descriptor mask");
  job.fd_mask = static_cast<unsigned>(*mask);
  const auto argc_text = next_field(rest);
  const auto argc = argc_text ? parse_count(*argc_text) : std::nullopt;
  if (!argc || *argc == 0 || *argc > payload.size()) return make_error("worker job: bad argument count");
  for (size_t i = 0; i < *argc; ++i) {
    const auto arg = next_field(rest);
    if (!arg) return make_error("worker job: fewer arguments than its count");
    job.argv.emplace_back(*arg);
  }
  while (!rest.empty()) {
    const auto var = next_field(rest);
    if (!var || var->find('=') == std::string_view::npos) {
      return make_error("worker job: an environment entry is not NAME=VALUE");
    }
    job.env.emplace_back(*var);
  }
  return job;
}

WorkerJob make_worker_job(const WorkerCommand& command, const WorkerStdio& stdio) {
  WorkerJob job{command.argv, command.env, 0};
  const auto fds = stdio_fds(stdio);
  for (int i = 0; i < kWorkerJobFds; ++i) {
    if (fds[i] >= 0) job.fd_mask |= 1u << i;
  }
  return job;
}

Status send_worker_job(int socket_fd, std::string_view payload, const WorkerStdio& stdio) {
  if (payload.size() > kMaxWorkerJobBytes) return make_error("worker job: too large for a standby worker");
  static_assert(kWorkerJobFds <= sys::kMaxPassedFds);
  int fds[kWorkerJobFds];
  int count = 0;
  for (int fd : stdio_fds(stdio)) {
    if (fd >= 0) fds[count++] = fd;
  }
  const ssize_t sent = sys::send_with_fds(socket_fd, payload.data(), payload.size(), fds, count, MSG_DONTWAIT);
  if (sent < 0) return errno_error("send the job to a standby worker");
  if (static_cast<size_t>(sent) != payload.size()) return make_error("worker job: sent in part");
  return {};
}

Result<std::optional<ReceivedWorkerJob>> receive_worker_job(int socket_fd) {
  std::string buffer(kMaxWorkerJobBytes + 1, '\0');
  int raw_fds[kWorkerJobFds];
  const sys::ReceivedMessage r = sys::receive_with_fds(socket_fd, buffer.data(), buffer.size(), raw_fds, kWorkerJobFds);
  if (r.bytes < 0) return errno_error("receive the job");
  // Own every descriptor that came, before anything can fail.
  std::vector<UniqueFd> attached;
  for (int i = 0; i < r.fd_count; ++i) attached.emplace_back(raw_fds[i]);
  if (r.bytes == 0 && attached.empty()) return std::optional<ReceivedWorkerJob>{};
  if ((r.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) return make_error("worker job: truncated");

  buffer.resize(static_cast<size_t>(r.bytes));
  SBX_ASSIGN_OR_RETURN(WorkerJob job, decode_worker_job(buffer));
  ReceivedWorkerJob out;
  size_t next = 0;
  for (int i = 0; i < kWorkerJobFds; ++i) {
    if ((job.fd_mask & (1u << i)) == 0) continue;
    if (next >= attached.size()) return make_error("worker job: fewer descriptors than its mask");
    out.fds[i] = std::move(attached[next++]);
  }
  if (next != attached.size()) return make_error("worker job: more descriptors than its mask");
  out.job = std::move(job);
  return std::optional<ReceivedWorkerJob>(std::move(out));
}

Status acknowledge_worker_job(int socket_fd) {
  if (::send(socket_fd, &kAcknowledgement, 1, MSG_NOSIGNAL) != 1) return errno_error("acknowledge the job");
  return {};
}

bool worker_job_acknowledged(int socket_fd) {
  char byte = 0;
  ssize_t n;
  do {
    n = ::recv(socket_fd, &byte, 1, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return n == 1 && byte == kAcknowledgement;
}

}  // namespace sbx::rpc
