#include "cli/assignment_file.h"

#include <sys/stat.h>

#include <fstream>

namespace sbx::cli {

Status for_each_assignment_line(
    std::string_view flag, const std::string& file, const CallerContext& caller,
    const std::function<Status(std::string_view line, const std::string& origin)>& entry) {
  const std::string named = std::string(flag) + " " + file;
  const std::string path = !file.empty() && file[0] == '/' ? file : caller.cwd + "/" + file;
  // A FIFO or a directory would block or fail in getline; say what it is instead.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) return make_error(named + ": not a regular file");
  std::ifstream in(path);
  if (!in) return make_error(named + ": cannot open the file");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    SBX_RETURN_IF_ERROR(entry(std::string_view(line).substr(start), named + ":" + std::to_string(number)));
  }
  // getline stops the same way at a read error as at the end: without this, a file that cannot
  // be read (EIO) would pass as one with no more entries, and the run would go ahead without them.
  if (in.bad()) {
    return make_error(named + ": a read error" + (number > 0 ? " after line " + std::to_string(number) : "") +
                      "; nothing of the file was used");
  }
  return {};
}

}  // namespace sbx::cli
