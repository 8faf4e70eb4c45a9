#include "app/exec_output.h"

#include <fcntl.h>
#include <unistd.h>

namespace sbx::app {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errno_error("pipe2");
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  // The supervisor polls several fds; a read must never block it.
  if (::fcntl(p.read.get(), F_SETFL, O_NONBLOCK) != 0) return errno_error("fcntl O_NONBLOCK");
  return p;
}

}  // namespace

std::vector<supervisor::OutputStream*> OutputPlumbing::stream_list() const {
  std::vector<supervisor::OutputStream*> out;
  for (const auto& s : streams) out.push_back(s.get());
  return out;
}

Result<OutputPlumbing> plumb_output(const policy::Policy& policy, bool capture,
                                    const std::function<std::unique_ptr<supervisor::StreamTransform>()>& redactor) {
  OutputPlumbing plumbing;
  const bool keep_tail = policy.limits.on_output_limit == policy::OutputLimitAction::kTruncate;
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    const bool through_sbx = capture || !policy.secrets.empty() || ::isatty(fd) == 0;
    if (!through_sbx) continue;
    SBX_ASSIGN_OR_RETURN(Pipe pipe, make_pipe());
    auto stream = std::make_unique<supervisor::OutputStream>(
        fd == STDOUT_FILENO ? "stdout" : "stderr", std::move(pipe.read), capture ? -1 : fd,
        policy.limits.output_limit_bytes, keep_tail, policy.secrets.empty() ? nullptr : redactor());
    if (fd == STDOUT_FILENO) {
      plumbing.stdout_write = std::move(pipe.write);
      plumbing.stdout_stream = stream.get();
    } else {
      plumbing.stderr_write = std::move(pipe.write);
      plumbing.stderr_stream = stream.get();
    }
    plumbing.streams.push_back(std::move(stream));
  }
  return plumbing;
}

}  // namespace sbx::app
