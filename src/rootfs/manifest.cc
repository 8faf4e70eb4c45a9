#include "rootfs/manifest.h"

#include <algorithm>
#include <ctime>

#include <nlohmann/json.hpp>

namespace sbx::rootfs {
namespace {

using Json = nlohmann::ordered_json;

Json to_array(const std::vector<std::string>& items) {
  Json a = Json::array();
  for (const auto& s : items) a.push_back(s);
  return a;
}

// Typed field access that reports the field instead of throwing.
class Reader {
 public:
  explicit Reader(const Json& obj) : obj_(obj) {}

  Result<std::string> string(const char* key) const {
    if (!obj_.contains(key) || !obj_[key].is_string()) return missing(key, "a string");
    return obj_[key].get<std::string>();
  }
  Result<uint64_t> number(const char* key) const {
    if (!obj_.contains(key) || !obj_[key].is_number_unsigned()) return missing(key, "a whole number");
    return obj_[key].get<uint64_t>();
  }
  Result<double> real(const char* key) const {
    if (!obj_.contains(key) || !obj_[key].is_number()) return missing(key, "a number");
    return obj_[key].get<double>();
  }
  Result<std::vector<std::string>> strings(const char* key) const {
    if (!obj_.contains(key) || !obj_[key].is_array()) return missing(key, "a list of strings");
    std::vector<std::string> out;
    for (const auto& item : obj_[key]) {
      if (!item.is_string()) return missing(key, "a list of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

 private:
  static Error missing(const char* key, const char* what) {
    return make_error(std::string("manifest: \"") + key + "\" must be " + what);
  }
  const Json& obj_;
};

}  // namespace

std::string manifest_to_json(const Manifest& m) {
  Json j;
  j["format"] = Manifest::kFormat;
  j["name"] = m.name;
  j["description"] = m.description;
  j["recipe_sha256"] = m.recipe_sha256;
  j["commands"] = to_array(m.commands);
  j["default_command"] = to_array(m.default_command);
  j["policy"] = m.policy;
  j["built_at"] = m.built_at;
  j["build_seconds"] = m.build_seconds;
  j["build_mode"] = m.build_mode;
  j["suite"] = m.suite;
  j["sources"] = to_array(m.sources);
  j["sbx_version"] = m.sbx_version;
  j["builder_revision"] = m.builder_revision;
  j["size_bytes"] = m.size_bytes;
  j["entries"] = m.entries;
  j["content_hash"] = m.content_hash;
  Json packages = Json::array();
  for (const auto& p : m.packages) {
    packages.push_back(Json{{"name", p.name}, {"version", p.version}, {"architecture", p.architecture}});
  }
  j["packages"] = std::move(packages);
  return j.dump(2) + "\n";
}

Result<Manifest> manifest_from_json(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return make_error("manifest: not a JSON object");
  const Reader r(j);
  SBX_ASSIGN_OR_RETURN(const uint64_t format, r.number("format"));
  if (format != Manifest::kFormat) {
    return make_error("manifest: format " + std::to_string(format) + " is not supported (this sbx reads " +
                      std::to_string(Manifest::kFormat) + "; rebuild the tree)");
  }
  Manifest m;
  SBX_ASSIGN_OR_RETURN(m.name, r.string("name"));
  SBX_ASSIGN_OR_RETURN(m.description, r.string("description"));
  SBX_ASSIGN_OR_RETURN(m.recipe_sha256, r.string("recipe_sha256"));
  SBX_ASSIGN_OR_RETURN(m.commands, r.strings("commands"));
  SBX_ASSIGN_OR_RETURN(m.default_command, r.strings("default_command"));
  SBX_ASSIGN_OR_RETURN(m.policy, r.string("policy"));
  SBX_ASSIGN_OR_RETURN(m.built_at, r.string("built_at"));
  SBX_ASSIGN_OR_RETURN(m.build_seconds, r.real("build_seconds"));
  SBX_ASSIGN_OR_RETURN(m.build_mode, r.string("build_mode"));
  SBX_ASSIGN_OR_RETURN(m.suite, r.string("suite"));
  SBX_ASSIGN_OR_RETURN(m.sources, r.strings("sources"));
  SBX_ASSIGN_OR_RETURN(m.sbx_version, r.string("sbx_version"));
  // Absent in trees built before the field existed: those came from revision 1.
  if (j.contains("builder_revision")) {
    SBX_ASSIGN_OR_RETURN(const uint64_t revision, r.number("builder_revision"));
    m.builder_revision = static_cast<int>(revision);
  }
  SBX_ASSIGN_OR_RETURN(m.size_bytes, r.number("size_bytes"));
  SBX_ASSIGN_OR_RETURN(m.entries, r.number("entries"));
  SBX_ASSIGN_OR_RETURN(m.content_hash, r.string("content_hash"));
  if (!j.contains("packages") || !j["packages"].is_array()) {
    return make_error("manifest: \"packages\" must be a list");
  }
  for (const auto& item : j["packages"]) {
    if (!item.is_object()) return make_error("manifest: \"packages\" entries must be objects");
    const Reader pr(item);
    PackageVersion p;
    SBX_ASSIGN_OR_RETURN(p.name, pr.string("name"));
    SBX_ASSIGN_OR_RETURN(p.version, pr.string("version"));
    SBX_ASSIGN_OR_RETURN(p.architecture, pr.string("architecture"));
    m.packages.push_back(std::move(p));
  }
  return m;
}

std::vector<PackageVersion> parse_dpkg_status(std::string_view text) {
  std::vector<PackageVersion> out;
  PackageVersion current;
  bool installed = false;
  auto flush = [&] {
    if (installed && !current.name.empty()) out.push_back(current);
    current = {};
    installed = false;
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {
      flush();
      if (end == text.size()) break;
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') continue;  // continuation of a multi-line field
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (key == "Package") current.name = value;
    if (key == "Version") current.version = value;
    if (key == "Architecture") current.architecture = value;
    if (key == "Status") installed = value.ends_with(" installed") && value.starts_with("install ");
    if (end == text.size()) {
      flush();
      break;
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string utc_timestamp_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm {};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace sbx::rootfs
