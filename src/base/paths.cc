#include "base/paths.h"

namespace sbx {

Result<std::string> normalize_sandbox_path(std::string_view path) {
  if (path.empty()) return make_error("path is empty");
  if (path.find('\0') != std::string_view::npos) return make_error("path contains a NUL byte");
  if (path[0] != '/') {
    return make_error("\"" + std::string(path) + "\" is not an absolute path (it must start with /)");
  }
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    const size_t end = path.find('/', i);
    const std::string_view part = path.substr(i, end == std::string_view::npos ? end : end - i);
    i = end == std::string_view::npos ? path.size() : end;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return make_error("\"" + std::string(path) + "\" contains \"..\"; give the path without it");
    }
    out += '/';
    out += part;
  }
  if (out.empty()) out = "/";
  return out;
}

bool path_is_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  if (path.size() < dir.size() || path.substr(0, dir.size()) != dir) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

}  // namespace sbx
