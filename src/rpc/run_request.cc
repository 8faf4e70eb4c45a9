#include "rpc/run_request.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "base/paths.h"
#include "base/units.h"
#include "policy/validate.h"
#include "redact/redact.h"
#include "rpc/encoding.h"

namespace sbx::rpc {
namespace {

constexpr std::array<std::string_view, 22> kRunFields{
    "argv",     "language", "code",   "stdin",    "stdin_base64", "files",   "env",     "secrets",
    "policy",   "rootfs",   "workdir", "network", "hostname",     "uid",     "gid",     "read_only",
    "tmpfs",    "ulimits",  "landlock", "seccomp", "limits",      "stream"};
constexpr std::array<std::string_view, 9> kLimitFields{"timeout", "kill_after", "cpu_time", "output_limit",
                                                       "on_output_limit", "memory", "pids", "cpus", "cgroup"};

Error type_error(const std::string& path, std::string_view expected, const Json& got) {
  return make_error(path + ": expected " + std::string(expected) + ", got " + json_type_name(got));
}

template <size_t N>
Status check_known(const Json& object, const std::string& path, const std::array<std::string_view, N>& known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return make_error(path + "." + key + ": unknown field (known: " + list + ")");
    }
  }
  return {};
}

// nullptr when absent or null: optional fields may be sent as null.
const Json* find(const Json& object, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> string_field(const Json& value, const std::string& path) {
  if (!value.is_string()) return type_error(path, "a string", value);
  return value.get<std::string>();
}

Result<std::optional<std::string>> optional_string(const Json& object, std::string_view key, const std::string& path) {
  const Json* v = find(object, key);
  if (v == nullptr) return std::optional<std::string>();
  SBX_ASSIGN_OR_RETURN(std::string s, string_field(*v, path + "." + std::string(key)));
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<std::string>> optional_enum(const Json& object, std::string_view key, const std::string& path,
                                                 std::initializer_list<std::string_view> allowed) {
  SBX_ASSIGN_OR_RETURN(auto value, optional_string(object, key, path));
  if (!value) return value;
  std::string list;
  for (auto a : allowed) {
    if (*value == a) return value;
    list += (list.empty() ? "\"" : ", \"") + std::string(a) + "\"";
  }
  return make_error(path + "." + std::string(key) + ": expected one of " + list + ", got \"" + *value + "\"");
}

Result<bool> optional_bool(const Json& object, std::string_view key, const std::string& path) {
  const Json* v = find(object, key);
  if (v == nullptr) return false;
  if (!v->is_boolean()) return type_error(path + "." + std::string(key), "true or false", *v);
  return v->get<bool>();
}

Result<std::optional<uint64_t>> optional_uint(const Json& object, std::string_view key, const std::string& path,
                                              uint64_t min, uint64_t max) {
  const Json* v = find(object, key);
  if (v == nullptr) return std::optional<uint64_t>();
  const std::string p = path + "." + std::string(key);
  if (!v->is_number_integer()) return type_error(p, "an integer", *v);
  if (v->is_number_unsigned() || v->get<int64_t>() >= 0) {
    const uint64_t n = v->get<uint64_t>();
    if (n >= min && n <= max) return std::optional<uint64_t>(n);
  }
  return make_error(p + ": must be from " + std::to_string(min) + " to " + std::to_string(max));
}

Result<std::vector<std::string>> string_list(const Json& value, const std::string& path, size_t max_items) {
  if (!value.is_array()) return type_error(path, "an array of strings", value);
  if (value.size() > max_items) {
    return make_error(path + ": at most " + std::to_string(max_items) + " items, got " + std::to_string(value.size()));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    SBX_ASSIGN_OR_RETURN(std::string s, string_field(value[i], path + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(s));
  }
  return out;
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// {"NAME": "value", ...} with names checked by `valid`.
Result<std::vector<NameValue>> name_value_map(const Json& value, const std::string& path, size_t max_items,
                                              bool (*valid)(std::string_view), std::string_view name_rule) {
  if (!value.is_object()) return type_error(path, "an object of NAME: \"value\"", value);
  if (value.size() > max_items) return make_error(path + ": at most " + std::to_string(max_items) + " entries");
  std::vector<NameValue> out;
  for (const auto& [name, v] : value.items()) {
    const std::string p = path + "." + name;
    if (!valid(name)) return make_error(p + ": not a valid name (" + std::string(name_rule) + ")");
    SBX_ASSIGN_OR_RETURN(std::string s, string_field(v, p));
    if (has_nul(s)) return make_error(p + ": the value contains a NUL byte");
    out.emplace_back(name, std::move(s));
  }
  return out;
}

Status parse_limits(const Json& limits, const std::string& path, RunLimits& out) {
  if (!limits.is_object()) return type_error(path, "an object", limits);
  SBX_RETURN_IF_ERROR(check_known(limits, path, kLimitFields));
  auto duration = [&](std::string_view key, std::optional<std::chrono::nanoseconds>& into) -> Status {
    if (const Json* v = find(limits, key)) {
      SBX_ASSIGN_OR_RETURN(into, parse_duration_field(*v, path + "." + std::string(key)));
    }
    return {};
  };
  SBX_RETURN_IF_ERROR(duration("timeout", out.timeout));
  SBX_RETURN_IF_ERROR(duration("kill_after", out.kill_after));
  SBX_RETURN_IF_ERROR(duration("cpu_time", out.cpu_time));
  if (const Json* v = find(limits, "output_limit")) {
    SBX_ASSIGN_OR_RETURN(out.output_limit, parse_size_field(*v, path + ".output_limit"));
    if (*out.output_limit < 1024) return make_error(path + ".output_limit: must be at least 1k");
  }
  if (const Json* v = find(limits, "memory")) {
    SBX_ASSIGN_OR_RETURN(out.memory, parse_size_field(*v, path + ".memory"));
    if (*out.memory < (1u << 20)) return make_error(path + ".memory: must be at least 1m");
  }
  SBX_ASSIGN_OR_RETURN(out.pids, optional_uint(limits, "pids", path, 1, 4194304));
  if (const Json* v = find(limits, "cpus")) {
    if (!v->is_number()) return type_error(path + ".cpus", "a number", *v);
    const double cpus = v->get<double>();
    if (!(cpus >= 0.01 && cpus <= 4096)) return make_error(path + ".cpus: must be from 0.01 to 4096");
    out.cpus = cpus;
  }
  SBX_ASSIGN_OR_RETURN(out.on_output_limit, optional_enum(limits, "on_output_limit", path, {"truncate", "kill"}));
  SBX_ASSIGN_OR_RETURN(out.cgroup, optional_enum(limits, "cgroup", path, {"required", "best-effort"}));
  return {};
}

Status parse_command(const Json& params, RunRequest& r, const RequestBounds& bounds) {
  const Json* argv = find(params, "argv");
  const Json* language = find(params, "language");
  const Json* code = find(params, "code");
  if (argv != nullptr && (language != nullptr || code != nullptr)) {
    return make_error("params: give either \"argv\" or \"language\" with \"code\", not both");
  }
  if (argv != nullptr) {
    SBX_ASSIGN_OR_RETURN(r.argv, string_list(*argv, "params.argv", bounds.max_argv));
    if (r.argv.empty()) return make_error("params.argv: must name a command (at least one item)");
    for (size_t i = 0; i < r.argv.size(); ++i) {
      if (has_nul(r.argv[i])) return make_error("params.argv[" + std::to_string(i) + "]: contains a NUL byte");
    }
    if (r.argv[0].empty()) return make_error("params.argv[0]: the command name is empty");
    return {};
  }
  if (language == nullptr || code == nullptr) {
    return make_error("params: missing the command: give \"argv\" (e.g. [\"ls\", \"-l\"]) or \"language\" and \"code\"");
  }
  SBX_ASSIGN_OR_RETURN(r.language, string_field(*language, "params.language"));
  SBX_ASSIGN_OR_RETURN(r.code, string_field(*code, "params.code"));
  if (r.language.empty()) return make_error("params.language: is empty");
  return {};
}

Status parse_stdin(const Json& params, RunRequest& r, const RequestBounds& bounds) {
  const Json* text = find(params, "stdin");
  const Json* b64 = find(params, "stdin_base64");
  if (text != nullptr && b64 != nullptr) return make_error("params: give \"stdin\" or \"stdin_base64\", not both");
  if (text != nullptr) {
    SBX_ASSIGN_OR_RETURN(r.stdin_data, string_field(*text, "params.stdin"));
  } else if (b64 != nullptr) {
    SBX_ASSIGN_OR_RETURN(const std::string encoded, string_field(*b64, "params.stdin_base64"));
    auto decoded = base64_decode(encoded);
    if (!decoded) return std::move(decoded).error().context("params.stdin_base64");
    r.stdin_data = std::move(*decoded);
  }
  if (r.stdin_data.size() > bounds.max_stdin_bytes) {
    return make_error("params.stdin: more than " + std::to_string(bounds.max_stdin_bytes) + " bytes");
  }
  return {};
}

Status parse_sandbox_shape(const Json& params, RunRequest& r) {
  SBX_ASSIGN_OR_RETURN(auto policy, optional_string(params, "policy", "params"));
  r.policy = policy.value_or("");
  SBX_ASSIGN_OR_RETURN(auto rootfs, optional_string(params, "rootfs", "params"));
  r.rootfs = rootfs.value_or("");
  SBX_ASSIGN_OR_RETURN(r.workdir, optional_string(params, "workdir", "params"));
  if (r.workdir) {
    auto normal = normalize_sandbox_path(*r.workdir);
    if (!normal) return std::move(normal).error().context("params.workdir");
    r.workdir = *normal;
  }
  SBX_ASSIGN_OR_RETURN(r.network, optional_enum(params, "network", "params", {"none", "loopback", "host"}));
  SBX_ASSIGN_OR_RETURN(r.hostname, optional_string(params, "hostname", "params"));
  SBX_ASSIGN_OR_RETURN(auto uid, optional_uint(params, "uid", "params", 0, 0xfffffffe));
  SBX_ASSIGN_OR_RETURN(auto gid, optional_uint(params, "gid", "params", 0, 0xfffffffe));
  if (uid) r.uid = static_cast<uint32_t>(*uid);
  if (gid) r.gid = static_cast<uint32_t>(*gid);
  SBX_ASSIGN_OR_RETURN(r.read_only, optional_bool(params, "read_only", "params"));
  if (const Json* v = find(params, "tmpfs")) {
    SBX_ASSIGN_OR_RETURN(r.tmpfs, string_list(*v, "params.tmpfs", 64));
  }
  if (const Json* v = find(params, "ulimits")) {
    SBX_ASSIGN_OR_RETURN(r.ulimits, string_list(*v, "params.ulimits", 64));
  }
  SBX_ASSIGN_OR_RETURN(r.landlock, optional_enum(params, "landlock", "params", {"required", "best-effort"}));
  SBX_ASSIGN_OR_RETURN(r.seccomp, optional_enum(params, "seccomp", "params", {"required", "best-effort"}));
  // Every one of these ends up as a flag value on the worker's command line, where a NUL byte
  // would silently cut it short.
  std::vector<std::pair<std::string, const std::string*>> values = {{"policy", &r.policy}, {"rootfs", &r.rootfs}};
  if (r.hostname) values.emplace_back("hostname", &*r.hostname);
  for (size_t i = 0; i < r.tmpfs.size(); ++i) values.emplace_back("tmpfs[" + std::to_string(i) + "]", &r.tmpfs[i]);
  for (size_t i = 0; i < r.ulimits.size(); ++i) {
    values.emplace_back("ulimits[" + std::to_string(i) + "]", &r.ulimits[i]);
  }
  for (const auto& [name, value] : values) {
    if (has_nul(*value)) return make_error("params." + name + ": contains a NUL byte");
  }
  return {};
}

}  // namespace

Result<std::chrono::nanoseconds> parse_duration_field(const Json& value, const std::string& path) {
  std::chrono::nanoseconds d{0};
  if (value.is_number()) {
    const double seconds = value.get<double>();
    if (!std::isfinite(seconds) || seconds > 1e9) return make_error(path + ": out of range");
    d = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(seconds * 1e9)));
  } else if (value.is_string()) {
    auto parsed = parse_duration(value.get<std::string>());
    if (!parsed) return make_error(path + ": " + parsed.error().message + " (seconds, or e.g. \"1.5s\", \"2m\")");
    d = *parsed;
  } else {
    return type_error(path, "a number of seconds or a duration string like \"30s\"", value);
  }
  if (d.count() <= 0) return make_error(path + ": must be above zero");
  return d;
}

Result<uint64_t> parse_size_field(const Json& value, const std::string& path) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) return make_error(path + ": must not be negative");
  if (value.is_string()) {
    auto parsed = parse_size(value.get<std::string>());
    if (!parsed) return make_error(path + ": " + parsed.error().message + " (bytes, or e.g. \"64m\")");
    return *parsed;
  }
  return type_error(path, "a number of bytes or a size string like \"64m\"", value);
}

Result<std::string> normalize_workspace_path(std::string_view path) {
  if (path.empty()) return make_error("the path is empty");
  if (path.front() == '/') return make_error("must be relative to /workspace (got \"" + std::string(path) + "\")");
  if (has_nul(path)) return make_error("contains a NUL byte");
  if (path.size() > 1024) return make_error("longer than 1024 bytes");
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part == "..") return make_error("must not contain \"..\" (got \"" + std::string(path) + "\")");
    if (part.size() > 255) return make_error("a path component is longer than 255 bytes");
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out.append(part);
    }
    start = end + 1;
  }
  if (out.empty()) return make_error("names no file (got \"" + std::string(path) + "\")");
  return out;
}

Result<std::vector<WorkspaceFile>> parse_files_field(const Json& value, const std::string& path,
                                                     const RequestBounds& bounds) {
  if (!value.is_array()) return type_error(path, "an array of {\"path\", \"text\" or \"base64\"}", value);
  if (value.size() > bounds.max_files) {
    return make_error(path + ": at most " + std::to_string(bounds.max_files) + " files");
  }
  std::vector<WorkspaceFile> files;
  size_t total = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    const Json& f = value[i];
    if (!f.is_object()) return type_error(p, "an object", f);
    static constexpr std::array<std::string_view, 4> kFileFields{"path", "text", "base64", "executable"};
    SBX_RETURN_IF_ERROR(check_known(f, p, kFileFields));
    WorkspaceFile file;
    const Json* file_path = find(f, "path");
    if (file_path == nullptr) return make_error(p + ".path: missing");
    SBX_ASSIGN_OR_RETURN(const std::string raw, string_field(*file_path, p + ".path"));
    auto normal = normalize_workspace_path(raw);
    if (!normal) return std::move(normal).error().context(p + ".path");
    file.path = *normal;
    const Json* text = find(f, "text");
    const Json* b64 = find(f, "base64");
    if ((text == nullptr) == (b64 == nullptr)) return make_error(p + ": give exactly one of \"text\" and \"base64\"");
    if (text != nullptr) {
      SBX_ASSIGN_OR_RETURN(file.content, string_field(*text, p + ".text"));
    } else {
      SBX_ASSIGN_OR_RETURN(const std::string encoded, string_field(*b64, p + ".base64"));
      auto decoded = base64_decode(encoded);
      if (!decoded) return std::move(decoded).error().context(p + ".base64");
      file.content = std::move(*decoded);
    }
    SBX_ASSIGN_OR_RETURN(file.executable, optional_bool(f, "executable", p));
    for (const auto& earlier : files) {
      if (earlier.path == file.path) return make_error(p + ".path: \"" + file.path + "\" is given twice");
      if (path_is_within("/" + file.path, "/" + earlier.path) || path_is_within("/" + earlier.path, "/" + file.path)) {
        return make_error(p + ".path: \"" + file.path + "\" and \"" + earlier.path + "\" cannot both be files");
      }
    }
    total += file.content.size();
    if (total > bounds.max_file_bytes) {
      return make_error(path + ": more than " + std::to_string(bounds.max_file_bytes) + " bytes in all");
    }
    files.push_back(std::move(file));
  }
  return files;
}

Status check_exec_size(const RunRequest& r, std::string_view prefix) {
  const std::string at(prefix);
  size_t total = 0;
  auto count = [&total](const std::string& field, size_t bytes) -> Status {
    if (bytes > kMaxExecStringBytes) {
      return make_error(field + ": " + std::to_string(bytes) + " bytes; one argument or variable may be at most " +
                        std::to_string(kMaxExecStringBytes) + " (the kernel's limit for execve); pass more as a file");
    }
    total += bytes + 1;
    return {};
  };
  for (size_t i = 0; i < r.argv.size(); ++i) {
    SBX_RETURN_IF_ERROR(count(at + ".argv[" + std::to_string(i) + "]", r.argv[i].size()));
  }
  for (const auto& [name, value] : r.env) {
    SBX_RETURN_IF_ERROR(count(at + ".env." + name, name.size() + 1 + value.size()));
  }
  for (const auto& [name, value] : r.secrets) {
    SBX_RETURN_IF_ERROR(count(at + ".secrets." + name, name.size() + 1 + value.size()));
  }
  if (total > kMaxExecTotalBytes) {
    return make_error(at + ": the arguments and environment come to " + std::to_string(total) + " bytes; at most " +
                      std::to_string(kMaxExecTotalBytes) + " in all (the kernel's limit for execve, with room to " +
                      "spare); pass more as a file");
  }
  return {};
}

Result<RunRequest> parse_run_params(const Json& params, const RequestBounds& bounds) {
  if (!params.is_object()) return type_error("params", "an object", params);
  SBX_RETURN_IF_ERROR(check_known(params, "params", kRunFields));
  RunRequest r;
  SBX_RETURN_IF_ERROR(parse_command(params, r, bounds));
  SBX_RETURN_IF_ERROR(parse_stdin(params, r, bounds));
  if (const Json* v = find(params, "files")) {
    SBX_ASSIGN_OR_RETURN(r.files, parse_files_field(*v, "params.files", bounds));
  }
  if (const Json* v = find(params, "env")) {
    SBX_ASSIGN_OR_RETURN(r.env, name_value_map(*v, "params.env", bounds.max_env, &policy::valid_env_name,
                                               "letters, digits and _, not starting with a digit"));
  }
  if (const Json* v = find(params, "secrets")) {
    SBX_ASSIGN_OR_RETURN(r.secrets, name_value_map(*v, "params.secrets", 256, &policy::valid_secret_name,
                                                   "letters, digits, _ and -, not starting with a digit"));
    for (const auto& [name, value] : r.secrets) {
      if (value.size() < redact::kMinSecretBytes) {
        return make_error("params.secrets." + name + ": shorter than " + std::to_string(redact::kMinSecretBytes) +
                          " bytes; redacting it would mangle ordinary output");
      }
      if (value.find_first_of("\r\n") != std::string::npos) {
        return make_error("params.secrets." + name + ": must be one line (no CR or LF)");
      }
    }
  }
  SBX_RETURN_IF_ERROR(check_exec_size(r, "params"));
  SBX_RETURN_IF_ERROR(parse_sandbox_shape(params, r));
  if (const Json* v = find(params, "limits")) SBX_RETURN_IF_ERROR(parse_limits(*v, "params.limits", r.limits));
  SBX_ASSIGN_OR_RETURN(r.stream, optional_bool(params, "stream", "params"));
  return r;
}

}  // namespace sbx::rpc
