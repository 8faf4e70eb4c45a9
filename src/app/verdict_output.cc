#include "app/verdict_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/file_contents.h"

namespace sbx::app {

Status write_verdict_line(std::string_view line, const cli::ExecRequest& request) {
  Status first = {};
  auto keep_first = [&first](Status status) {
    if (!status && first) first = std::move(status);
  };
  if (request.json) keep_first(write_all(STDOUT_FILENO, line, "write the verdict to stdout"));
  if (request.report_fd) {
    keep_first(write_all(*request.report_fd, line, "write the verdict to descriptor " + std::to_string(*request.report_fd)));
  }
  if (!request.report_file.empty()) {
    // Replaced whole, so a reader never sees half a verdict.
    if (auto written = replace_file_contents(request.report_file, line, 0644); !written) {
      keep_first(std::move(written).error().context("--report " + request.report_file));
    }
  }
  return first;
}

bool reader_gone(const Error& error) { return error.sys_errno == EPIPE; }

Status write_verdict(const supervisor::Verdict& verdict, const cli::ExecRequest& request) {
  // Output is already base64 when it is not UTF-8; "replace" only guards argv and messages.
  const std::string line =
      supervisor::verdict_json(verdict).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return write_verdict_line(line, request);
}

}  // namespace sbx::app
