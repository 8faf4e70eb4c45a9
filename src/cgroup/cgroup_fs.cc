#include "cgroup/cgroup_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "base/unique_fd.h"

namespace sbx::cgroup {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace

std::optional<std::string> find_cgroup2_mount(std::string_view mountinfo) {
  // "36 25 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw": the mount point is field 5,
  // the filesystem type follows the " - " separator.
  for (std::string_view line : split_lines(mountinfo)) {
    const size_t sep = line.find(" - ");
    if (sep == std::string_view::npos) continue;
    if (line.substr(sep + 3, 8) != "cgroup2 ") continue;
    const auto fields = split_words(line.substr(0, sep));
    if (fields.size() >= 5) return fields[4];
  }
  return std::nullopt;
}

std::optional<std::string> own_cgroup_path(std::string_view proc_self_cgroup) {
  for (std::string_view line : split_lines(proc_self_cgroup)) {
    if (line.substr(0, 3) == "0::") return std::string(line.substr(3));
  }
  return std::nullopt;
}

Status write_text(const std::string& path, std::string_view value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + path);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return errno_error("write \"" + std::string(value) + "\" to " + path);
  }
  return {};
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t')) ++i;
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n' && text[i] != '\t') ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

std::optional<uint64_t> keyed_value(std::string_view text, std::string_view key) {
  for (std::string_view line : split_lines(text)) {
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      return std::strtoull(std::string(line.substr(key.size() + 1)).c_str(), nullptr, 10);
    }
  }
  return std::nullopt;
}

bool is_delegated(const std::string& dir) {
  return ::access(dir.c_str(), W_OK) == 0 && ::access((dir + "/cgroup.procs").c_str(), W_OK) == 0 &&
         ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) == 0;
}

}  // namespace sbx::cgroup
