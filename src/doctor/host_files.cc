#include "doctor/host_files.h"

#include <cerrno>
#include <charconv>

#include "base/file_contents.h"

namespace sbx::doctor {

Result<std::optional<int64_t>> read_knob(const std::string& path) {
  auto text = read_file_contents(path, 64);
  if (!text) {
    if (text.error().sys_errno == ENOENT) return std::optional<int64_t>{};
    return std::move(text).error();
  }
  std::string_view v = *text;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc() || end != v.data() + v.size() || v.empty()) {
    return make_error(path + ": not an integer: \"" + std::string(v) + "\"");
  }
  return std::optional<int64_t>{value};
}

std::optional<int64_t> knob_or_absent(const std::string& path) {
  auto value = read_knob(path);
  return value ? *value : std::nullopt;
}

std::optional<std::string> self_status_field(std::string_view name) {
  auto text = read_file_contents("/proc/self/status");
  if (!text) return std::nullopt;
  for (std::string_view line : split_lines(*text)) {
    if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
        line[name.size()] != ':') {
      continue;
    }
    std::string_view value = line.substr(name.size() + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    return std::string(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

}  // namespace sbx::doctor
