#include "cli/exec_options.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <cctype>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "base/paths.h"
#include "base/units.h"
#include "cli/option_parser.h"
#include "cli/run_options.h"
#include "rlimits/names.h"

namespace sbx::cli {
namespace {

constexpr uint64_t kDefaultTmpfsSize = 64ull << 20;

bool valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return true;
}

// Resolves a host path the caller named (relative to the cwd) to its canonical form. Symlinks
// the caller named are followed here, once; the child later refuses any symlink on the
// canonical path, so a swap between now and the mount cannot redirect it.
Result<std::string> canonical_host_path(std::string_view path, const std::string& cwd) {
  if (path.empty()) return make_error("host path is empty");
  std::string joined = path[0] == '/' ? std::string(path) : cwd + "/" + std::string(path);
  char resolved[PATH_MAX];
  if (::realpath(joined.c_str(), resolved) == nullptr) {
    return errno_error("host path " + std::string(path));
  }
  return std::string(resolved);
}

Result<std::string> sandbox_target(std::string_view path) {
  SBX_ASSIGN_OR_RETURN(std::string target, normalize_sandbox_path(path));
  if (target == "/") return make_error("cannot mount over the sandbox root /");
  if (path_is_within(target, "/proc") || path_is_within(target, "/dev")) {
    return make_error("cannot mount over " + target + ": /proc and /dev are managed by sbx");
  }
  return target;
}

// Accumulates flag values; turned into a Policy once all flags are seen.
struct ExecFlags {
  std::vector<std::string> volumes;
  std::vector<std::string> tmpfs;
  std::vector<std::string> env;
  std::vector<std::string> env_files;
  std::vector<std::string> ulimits;
  std::optional<std::string> workdir;
  std::optional<uint64_t> uid;
  std::optional<uint64_t> gid;
  std::optional<std::string> rootfs;
  std::string remote;
  bool no_workspace = false;
  int verbosity = 0;
};

Result<policy::Enforcement> parse_enforcement(std::string_view value) {
  if (value == "required") return policy::Enforcement::kRequired;
  if (value == "best-effort") return policy::Enforcement::kBestEffort;
  return make_error("expected \"required\" or \"best-effort\", got \"" + std::string(value) + "\"");
}

Result<uint64_t> parse_id(std::string_view value) {
  auto id = parse_uint(value);
  if (!id || *id >= 0xffffffffull) {
    return make_error("expected a numeric id from 0 to 4294967294, got \"" + std::string(value) + "\"");
  }
  return *id;
}

std::vector<OptionSpec> exec_specs(ExecFlags& f, policy::Policy& p) {
  auto collect = [](std::vector<std::string>& into) {
    return [&into](std::string_view v) -> Status {
      into.emplace_back(v);
      return {};
    };
  };
  return {
      {"volume", 'v', true, "HOST:GUEST[:ro|rw]", "bind a host path into the sandbox (default rw)",
       collect(f.volumes)},
      {"tmpfs", 0, true, "PATH[:size=SIZE]", "mount an extra tmpfs (default size 64m)", collect(f.tmpfs)},
      {"env", 'e', true, "NAME[=VALUE]", "set a variable; NAME alone copies the caller's value",
       collect(f.env)},
      {"env-file", 0, true, "FILE", "read NAME=VALUE lines from FILE", collect(f.env_files)},
      {"workdir", 'w', true, "DIR", "working directory inside (default /workspace)",
       [&f](std::string_view v) -> Status {
         f.workdir = std::string(v);
         return {};
       }},
      {"hostname", 0, true, "NAME", "hostname inside (default sbx)",
       [&p](std::string_view v) -> Status {
         if (!valid_hostname(v)) {
           return make_error("\"" + std::string(v) +
                             "\" is not a valid hostname (letters, digits, '-', '.', at most 64)");
         }
         p.hostname = std::string(v);
         return {};
       }},
      {"read-only", 0, false, "", "nothing writable except -v rw and --tmpfs (no writable /tmp)",
       [&p](std::string_view) -> Status {
         p.read_only = true;
         return {};
       }},
      {"rw", 0, false, "", "make the workspace (the current directory) writable",
       [&p](std::string_view) -> Status {
         p.workspace_writable = true;
         return {};
       }},
      {"no-workspace", 0, false, "", "do not mount the current directory at /workspace",
       [&f](std::string_view) -> Status {
         f.no_workspace = true;
         return {};
       }},
      {"uid", 0, true, "N", "user id inside (default 1000)",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.uid, parse_id(v));
         return {};
       }},
      {"gid", 0, true, "N", "group id inside (default 1000)",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.gid, parse_id(v));
         return {};
       }},
      {"network", 0, true, "none|host", "none (default: loopback only) or host (share the host's)",
       [&p](std::string_view v) -> Status {
         if (v == "none") {
           p.network = policy::NetworkMode::kNone;
         } else if (v == "host") {
           p.network = policy::NetworkMode::kHost;
         } else {
           return make_error("expected \"none\" or \"host\", got \"" + std::string(v) + "\"");
         }
         return {};
       }},
      {"rootfs", 0, true, "host|DIR", "root filesystem: the host's (default) or a prebuilt tree",
       [&f](std::string_view v) -> Status {
         f.rootfs = std::string(v);
         return {};
       }},
      {"ulimit", 0, true, "NAME=SOFT[:HARD]", "set a resource limit (e.g. nofile=256, fsize=10m)",
       collect(f.ulimits)},
      {"landlock", 0, true, "required|best-effort", "what to do if Landlock is unavailable",
       [&p](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(p.landlock, parse_enforcement(v));
         return {};
       }},
      {"seccomp", 0, true, "required|best-effort", "what to do if seccomp is unavailable",
       [&p](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(p.seccomp, parse_enforcement(v));
         return {};
       }},
      {"remote", 0, true, "SOCKET", "have the sbx serve service at SOCKET do the run",
       [&f](std::string_view v) -> Status {
         f.remote = std::string(v);
         return {};
       }},
      {"verbose", 0, false, "", "log what sbx does to stderr (repeat for more)",
       [&f](std::string_view) -> Status {
         ++f.verbosity;
         return {};
       }},
  };
}

Status add_volume(policy::Policy& p, const std::string& spec, const CallerContext& caller) {
  const std::string origin = "-v " + spec;
  std::string_view rest = spec;
  bool read_only = false;
  const size_t last = rest.rfind(':');
  if (last != std::string_view::npos) {
    const std::string_view mode = rest.substr(last + 1);
    if (mode == "ro" || mode == "rw") {
      read_only = mode == "ro";
      rest = rest.substr(0, last);
    }
  }
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return make_error(origin + ": expected HOST:GUEST[:ro|rw], e.g. -v ./data:/data:ro");
  }
  auto source = canonical_host_path(rest.substr(0, colon), caller.cwd);
  if (!source) return std::move(source).error().context(origin);
  auto target = sandbox_target(rest.substr(colon + 1));
  if (!target) return std::move(target).error().context(origin);
  p.binds.push_back({*source, *target, read_only, origin});
  return {};
}

Status add_tmpfs(policy::Policy& p, const std::string& spec) {
  const std::string origin = "--tmpfs " + spec;
  std::string_view path = spec;
  uint64_t size = kDefaultTmpfsSize;
  const size_t colon = path.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view opts = path.substr(colon + 1);
    path = path.substr(0, colon);
    if (opts.substr(0, 5) != "size=") {
      return make_error(origin + ": the only option is size=SIZE, e.g. --tmpfs /cache:size=128m");
    }
    auto parsed = parse_size(opts.substr(5));
    if (!parsed) return std::move(parsed).error().context(origin);
    if (*parsed == 0) return make_error(origin + ": size must be above zero");
    size = *parsed;
  }
  auto target = sandbox_target(path);
  if (!target) return std::move(target).error().context(origin);
  p.tmpfs.push_back({*target, size, origin});
  return {};
}

void set_env(policy::Policy& p, std::string name, std::string value) {
  for (auto& var : p.env) {
    if (var.name == name) {
      var.value = std::move(value);
      return;
    }
  }
  p.env.push_back({std::move(name), std::move(value)});
}

Status add_env(policy::Policy& p, std::string_view spec, const CallerContext& caller,
               const std::string& origin) {
  const size_t eq = spec.find('=');
  const std::string name(spec.substr(0, eq));
  if (!valid_env_name(name)) {
    return make_error(origin + ": \"" + name +
                      "\" is not a valid variable name (letters, digits and _, not starting with a digit)");
  }
  if (eq != std::string_view::npos) {
    set_env(p, name, std::string(spec.substr(eq + 1)));
  } else if (auto value = caller.getenv(name)) {
    set_env(p, name, *value);
  }
  return {};
}

Status add_env_file(policy::Policy& p, const std::string& file, const CallerContext& caller) {
  const std::string path = !file.empty() && file[0] == '/' ? file : caller.cwd + "/" + file;
  std::ifstream in(path);
  if (!in) return make_error("--env-file " + file + ": cannot open the file");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    SBX_RETURN_IF_ERROR(
        add_env(p, std::string_view(line).substr(start), caller,
                "--env-file " + file + ":" + std::to_string(number)));
  }
  return {};
}

void set_default_env(policy::Policy& p, const CallerContext& caller) {
  set_env(p, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  set_env(p, "HOME", "/tmp");
  set_env(p, "USER", p.user_name);
  set_env(p, "LOGNAME", p.user_name);
  set_env(p, "LANG", "C.UTF-8");
  if (auto term = caller.getenv("TERM")) set_env(p, "TERM", *term);
}

Status check_unique_targets(const policy::Policy& p) {
  std::vector<std::pair<std::string, std::string>> seen;  // target, origin
  auto check = [&seen](const std::string& target, const std::string& origin) -> Status {
    for (const auto& [t, o] : seen) {
      if (t == target) return make_error(origin + ": " + target + " is already mounted by " + o);
    }
    seen.emplace_back(target, origin);
    return {};
  };
  for (const auto& b : p.binds) SBX_RETURN_IF_ERROR(check(b.target, b.origin));
  for (const auto& t : p.tmpfs) SBX_RETURN_IF_ERROR(check(t.target, t.origin));
  return {};
}

}  // namespace

Result<ExecRequest> parse_exec(std::span<const std::string> args, const CallerContext& caller) {
  ExecRequest request;
  policy::Policy& p = request.policy;
  ExecFlags flags;
  RunFlags run_flags;
  auto specs = exec_specs(flags, p);
  for (auto& spec : run_specs(run_flags, p, request)) specs.push_back(std::move(spec));
  SBX_ASSIGN_OR_RETURN(const size_t first_operand, parse_options(args, specs));
  if (first_operand >= args.size()) {
    return make_error("missing the command to run: sbx exec [OPTIONS] [--] COMMAND [ARG...]");
  }
  p.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(first_operand), args.end());
  request.verbosity = flags.verbosity;
  request.remote = flags.remote;

  if (flags.uid) p.uid = static_cast<uid_t>(*flags.uid);
  if (flags.gid) p.gid = static_cast<gid_t>(*flags.gid);
  if (p.uid == 0) p.user_name = "root";

  if (flags.rootfs && *flags.rootfs != "host") {
    auto dir = canonical_host_path(*flags.rootfs, caller.cwd);
    if (!dir) return std::move(dir).error().context("--rootfs");
    struct stat st {};
    if (::stat(dir->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return make_error("--rootfs " + *flags.rootfs + ": not a directory");
    }
    if (*dir == "/") {
      return make_error("--rootfs /: use --rootfs host for the host's system directories");
    }
    p.rootfs = *dir;
  }

  for (const auto& v : flags.volumes) SBX_RETURN_IF_ERROR(add_volume(p, v, caller));
  for (const auto& t : flags.tmpfs) SBX_RETURN_IF_ERROR(add_tmpfs(p, t));
  SBX_RETURN_IF_ERROR(check_unique_targets(p));

  bool workspace_bound = false;
  for (const auto& b : p.binds) workspace_bound = workspace_bound || b.target == "/workspace";
  if (!flags.no_workspace && !workspace_bound && caller.cwd != "/") {
    p.workspace_source = caller.cwd;
  }
  if (flags.workdir) {
    auto workdir = normalize_sandbox_path(*flags.workdir);
    if (!workdir) return std::move(workdir).error().context("-w");
    p.workdir = *workdir;
  } else if (p.workspace_source.empty() && !workspace_bound) {
    p.workdir = "/";
  }

  set_default_env(p, caller);
  for (const auto& file : flags.env_files) SBX_RETURN_IF_ERROR(add_env_file(p, file, caller));
  for (const auto& e : flags.env) SBX_RETURN_IF_ERROR(add_env(p, e, caller, "-e " + e));

  p.rlimits = rlimits::default_rlimits();
  for (const auto& spec : flags.ulimits) {
    auto limit = rlimits::parse_ulimit(spec);
    if (!limit) return std::move(limit).error().context("--ulimit " + spec);
    bool replaced = false;
    for (auto& existing : p.rlimits) {
      if (existing.resource == limit->resource) {
        existing = *limit;
        replaced = true;
      }
    }
    if (!replaced) p.rlimits.push_back(*limit);
  }
  SBX_RETURN_IF_ERROR(finish_run_flags(run_flags, p, caller));
  if (p.limits.cpu_seconds) {
    // SIGXCPU at the limit, SIGKILL a second later if the program handles SIGXCPU.
    const uint64_t secs = *p.limits.cpu_seconds;
    std::erase_if(p.rlimits, [](const policy::Rlimit& r) { return r.resource == RLIMIT_CPU; });
    p.rlimits.push_back({RLIMIT_CPU, secs, secs + 1});
  }
  for (const auto& secret : p.secrets) {
    if (secret.inject) set_env(p, secret.name, secret.value);
  }
  return request;
}

std::string exec_help() {
  ExecFlags flags;
  RunFlags run_flags;
  ExecRequest request;
  policy::Policy& p = request.policy;
  const auto specs = exec_specs(flags, p);
  const auto limits = run_specs(run_flags, p, request);
  return "Usage: sbx exec [OPTIONS] [--] COMMAND [ARG...]\n\n"
         "Run COMMAND in a fresh sandbox: new user, mount, pid, net, ipc, uts and cgroup\n"
         "namespaces, a read-only view of the host's system directories, no capabilities,\n"
         "Landlock and seccomp. The current directory is visible read-only at /workspace.\n\n"
         "Sandbox options:\n" +
         format_option_help(specs) + "\nLimits, secrets and the verdict:\n" + format_option_help(limits) +
         "\nExit status: the command's; 128+N if killed by signal N; 124 on timeout; 125 if sbx\n"
         "failed; 126 if COMMAND is not executable; 127 if it was not found.\n";
}

}  // namespace sbx::cli
