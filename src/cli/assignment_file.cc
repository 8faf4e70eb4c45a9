#include "cli/assignment_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "base/file_contents.h"
#include "base/unique_fd.h"

namespace sbx::cli {

Status for_each_assignment_line(
    std::string_view flag, const std::string& file, const CallerContext& caller,
    const std::function<Status(std::string_view line, const std::string& origin)>& entry) {
  const std::string named = std::string(flag) + " " + file;
  const std::string path = !file.empty() && file[0] == '/' ? file : caller.cwd + "/" + file;
  // Opening a FIFO would wait for a writer; say what it is instead.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return make_error(named + ": not a regular file");
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return errno_error(named);
  // Read whole before any entry is used: a file that fails halfway is refused, not half applied.
  SBX_ASSIGN_OR_RETURN(const std::string text, read_file_contents(fd.get(), named));
  std::string_view rest = text;
  for (int number = 1; !rest.empty(); ++number) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#') continue;
    SBX_RETURN_IF_ERROR(entry(line.substr(start), named + ":" + std::to_string(number)));
  }
  return {};
}

}  // namespace sbx::cli
