#include "app/verdict_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "base/unique_fd.h"

namespace sbx::app {
namespace {

Status write_all(int fd, const std::string& data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write the verdict to " + what);
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

// Written beside the target and renamed over it, so a reader never sees half a verdict.
Status write_file_atomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return errno_error("--report " + path);
  if (auto s = write_all(fd.get(), data, path); !s) {
    ::unlink(tmp.c_str());
    return s;
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto err = errno_error("--report " + path);
    ::unlink(tmp.c_str());
    return err;
  }
  return {};
}

}  // namespace

Status write_verdict(const supervisor::Verdict& verdict, const cli::ExecRequest& request) {
  // Output is already base64 when it is not UTF-8; "replace" only guards argv and messages.
  const std::string line =
      supervisor::verdict_json(verdict).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  if (request.json) SBX_RETURN_IF_ERROR(write_all(STDOUT_FILENO, line, "stdout"));
  if (request.report_fd) SBX_RETURN_IF_ERROR(write_all(*request.report_fd, line, "descriptor " + std::to_string(*request.report_fd)));
  if (!request.report_file.empty()) SBX_RETURN_IF_ERROR(write_file_atomically(request.report_file, line));
  return {};
}

}  // namespace sbx::app
