#include "rootfs/apt_sources.h"

#include <algorithm>

#include "base/directory_entries.h"
#include "base/file_contents.h"

namespace sbx::rootfs {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = text.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    pos = end;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

void add_stanza(std::vector<AptSource>& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::string> types, uris, suites, components;
  bool enabled = true;
  for (const auto& [key, value] : fields) {
    std::string k = key;
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
    if (k == "types") types = words(value);
    if (k == "uris") uris = words(value);
    if (k == "suites") suites = words(value);
    if (k == "components") components = words(value);
    if (k == "enabled") enabled = trim(value) != "no";
  }
  if (!enabled || std::find(types.begin(), types.end(), "deb") == types.end() || suites.empty()) return;
  for (const auto& uri : uris) out.push_back({uri, suites, components});
}

}  // namespace

std::vector<AptSource> parse_one_line_sources(std::string_view text) {
  std::vector<AptSource> out;
  for (std::string_view line : lines(text)) {
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::string rest(trim(line));
    if (!rest.starts_with("deb ") && !rest.starts_with("deb\t")) continue;
    rest = rest.substr(4);
    // Options in brackets ("[arch=amd64 signed-by=...]") may contain spaces.
    if (auto open = rest.find_first_not_of(" \t"); open != std::string::npos && rest[open] == '[') {
      const size_t close = rest.find(']', open);
      if (close == std::string::npos) continue;
      rest = rest.substr(close + 1);
    }
    auto w = words(rest);
    if (w.size() < 2) continue;
    AptSource source{w[0], {w[1]}, {}};
    source.components.assign(w.begin() + 2, w.end());
    out.push_back(std::move(source));
  }
  return out;
}

std::vector<AptSource> parse_deb822_sources(std::string_view text) {
  std::vector<AptSource> out;
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::string_view line : lines(text)) {
    if (!line.empty() && line[0] == '#') continue;
    if (trim(line).empty()) {
      if (!fields.empty()) add_stanza(out, fields);
      fields.clear();
      continue;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      fields.back().second += " " + std::string(trim(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  if (!fields.empty()) add_stanza(out, fields);
  return out;
}

bool is_debian_archive(std::string_view uri) {
  const size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return false;
  const std::string_view proto = uri.substr(0, scheme);
  if (proto != "http" && proto != "https") return false;
  std::string_view rest = uri.substr(scheme + 3);
  const size_t slash = rest.find('/');
  std::string_view host = rest.substr(0, slash);
  if (const size_t at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (const size_t colon = host.find(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  if (host == "debian.org" || host.ends_with(".debian.org")) return true;
  if (slash == std::string_view::npos) return false;
  const std::string path = std::string(rest.substr(slash)) + "/";
  return path.find("/debian/") != std::string::npos || path.find("/debian-security/") != std::string::npos;
}

std::vector<AptSource> host_debian_sources(const std::string& etc_apt) {
  std::vector<AptSource> all;
  if (auto text = read_file_contents(etc_apt + "/sources.list")) {
    auto parsed = parse_one_line_sources(*text);
    all.insert(all.end(), parsed.begin(), parsed.end());
  }
  const std::string dir_path = etc_apt + "/sources.list.d";
  std::vector<std::string> files = directory_entries(dir_path).value_or({});
  std::erase_if(files, [](const std::string& name) { return !name.ends_with(".list") && !name.ends_with(".sources"); });
  std::sort(files.begin(), files.end());  // apt reads them in this order
  for (const auto& name : files) {
    auto text = read_file_contents(dir_path + "/" + name);
    if (!text) continue;
    auto parsed = name.ends_with(".list") ? parse_one_line_sources(*text) : parse_deb822_sources(*text);
    all.insert(all.end(), parsed.begin(), parsed.end());
  }
  std::erase_if(all, [](const AptSource& s) { return !is_debian_archive(s.uri); });
  return all;
}

std::vector<std::string> source_lines(const std::vector<AptSource>& sources) {
  std::vector<std::string> out;
  for (const auto& s : sources) {
    for (const auto& suite : s.suites) {
      std::string line = "deb " + s.uri + " " + suite;
      for (const auto& c : s.components) line += " " + c;
      out.push_back(std::move(line));
    }
  }
  return out;
}

std::optional<std::string> base_suite(const std::vector<AptSource>& sources) {
  for (const auto& s : sources) {
    for (const auto& suite : s.suites) {
      if (suite.find('-') == std::string::npos && suite.find('/') == std::string::npos) return suite;
    }
  }
  if (!sources.empty() && !sources[0].suites.empty()) return sources[0].suites[0];
  return std::nullopt;
}

}  // namespace sbx::rootfs
