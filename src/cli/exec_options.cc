#include "cli/exec_options.h"

#include <unistd.h>

#include <vector>

#include "base/paths.h"
#include "base/units.h"
#include "cli/assignment_file.h"
#include "cli/exec_resolve.h"
#include "cli/option_parser.h"
#include "cli/run_options.h"
#include "policy/defaults.h"
#include "policy/env.h"
#include "policy/network_mode.h"
#include "policy/search_path.h"
#include "policy/serialize.h"
#include "policy/validate.h"
#include "rlimits/names.h"
#include "rootfs/store.h"

namespace sbx::cli {
namespace {

using policy::kDefaultTmpfsSize;
using policy::set_env;
using policy::valid_env_name;
using policy::valid_hostname;

Result<std::string> sandbox_target(std::string_view path) { return policy::sandbox_mount_target(path); }

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
  std::optional<std::string> policy;
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
      {"policy", 0, true, "NAME|FILE", "start from a policy (sbx policy list); other flags override it",
       [&f](std::string_view v) -> Status {
         if (v.empty()) return make_error("expected a policy name or file");
         f.policy = std::string(v);
         return {};
       }},
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
           return make_error("\"" + std::string(v) + "\" is not a valid hostname (" + policy::kHostnameRule + ")");
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
      {"network", 0, true, "none|loopback|host",
       "none (default: loopback up, TCP denied), loopback (TCP on the sandbox's own loopback) or host (share the "
       "host's)",
       [&p](std::string_view v) -> Status {
         const auto mode = policy::network_mode_named(v);
         if (!mode) {
           return make_error(std::string("expected ") + policy::kNetworkModeChoices + ", got \"" + std::string(v) + "\"");
         }
         p.network = *mode;
         return {};
       }},
      {"rootfs", 0, true, "host|NAME|DIR",
       "root filesystem: the host's, a built tree (sbx rootfs list) or a directory; default: the tree "
       "built for the command (python, node, ...), else the host's",
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
    } else if (rest.find(':') < last && mode.find('/') == std::string_view::npos) {
      // HOST:GUEST:MODE with a mode that is neither: a typo, not part of a path.
      return make_error(origin + ": the mode \"" + std::string(mode) + "\" must be ro or rw");
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
    // The same floor as a policy file's, so `sbx policy show` never prints what no loader takes.
    if (*parsed < policy::kMinTmpfsBytes) return make_error(origin + ": size must be at least 4k");
    size = *parsed;
  }
  auto target = sandbox_target(path);
  if (!target) return std::move(target).error().context(origin);
  p.tmpfs.push_back({*target, size, origin});
  return {};
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
  return for_each_assignment_line("--env-file", file, caller, [&](std::string_view line, const std::string& origin) {
    return add_env(p, line, caller, origin);
  });
}

// The policy's own mounts stay unless a flag mounts something at the same target: the flag wins.
// Policy mounts come first, so a flag can mount inside one of them.
void merge_flag_mounts(policy::Policy& p, std::vector<policy::BindMount> policy_binds,
                       std::vector<policy::TmpfsMount> policy_tmpfs) {
  auto taken = [&p](const std::string& target) {
    for (const auto& b : p.binds) {
      if (b.target == target) return true;
    }
    for (const auto& t : p.tmpfs) {
      if (t.target == target) return true;
    }
    return false;
  };
  std::erase_if(policy_binds, [&](const policy::BindMount& b) { return taken(b.target); });
  std::erase_if(policy_tmpfs, [&](const policy::TmpfsMount& t) { return taken(t.target); });
  p.binds.insert(p.binds.begin(), policy_binds.begin(), policy_binds.end());
  p.tmpfs.insert(p.tmpfs.begin(), policy_tmpfs.begin(), policy_tmpfs.end());
}

// Every option table `sbx exec` parses, writing into `flags`, `run_flags` and `request`.
std::vector<OptionSpec> all_specs(ExecFlags& flags, RunFlags& run_flags, ExecRequest& request) {
  auto specs = exec_specs(flags, request.policy);
  for (auto& spec : run_specs(run_flags, request.policy, request)) specs.push_back(std::move(spec));
  return specs;
}

// --policy and --remote, looked for before the other flags: the policy is the base they
// override, unless a service does the run.
struct BaseFlags {
  std::optional<std::string> policy;
  std::optional<std::string> rootfs;
  bool remote = false;
  std::vector<std::string> command;  // the operands; empty when none were given
};
Result<BaseFlags> base_flags(std::span<const std::string> args) {
  ExecFlags flags;
  RunFlags run_flags;
  ExecRequest scratch;
  const auto specs = all_specs(flags, run_flags, scratch);
  SBX_ASSIGN_OR_RETURN(const size_t first_operand, parse_options(args, specs));
  std::vector<std::string> command(args.begin() + static_cast<std::ptrdiff_t>(std::min(first_operand, args.size())),
                                   args.end());
  return BaseFlags{flags.policy, flags.rootfs, !flags.remote.empty(), std::move(command)};
}

std::vector<std::string> tree_stores(const CallerContext& caller) {
  return rootfs::lookup_store_dirs(::geteuid(), caller.getenv);
}
Result<std::optional<std::string>> policy_flag(std::span<const std::string> args) {
  SBX_ASSIGN_OR_RETURN(BaseFlags base, base_flags(args));
  return base.policy;
}

// Applies the flags in `args` over request.policy; returns the index of the first operand.
// Nothing is resolved against the caller here except what a flag itself names (-v paths,
// -e NAME, --secret NAME, files).
Result<size_t> apply_flags(std::span<const std::string> args, const CallerContext& caller, ExecRequest& request) {
  policy::Policy& p = request.policy;
  ExecFlags flags;
  RunFlags run_flags;
  auto policy_binds = std::move(p.binds);
  auto policy_tmpfs = std::move(p.tmpfs);
  p.binds.clear();
  p.tmpfs.clear();
  const auto specs = all_specs(flags, run_flags, request);
  SBX_ASSIGN_OR_RETURN(const size_t first_operand, parse_options(args, specs));
  request.verbosity = flags.verbosity;
  request.remote = flags.remote;

  if (flags.uid) {
    if (!flags.gid && p.gid == policy::paired_gid(p.uid)) p.gid = policy::paired_gid(static_cast<uid_t>(*flags.uid));
    p.uid = static_cast<uid_t>(*flags.uid);
    // The conventional names for the ids that have one, unless the policy chose its own.
    const bool conventional = p.user_name == policy::kDefaultUserName || p.user_name == "root" ||
                              p.user_name == "nobody";
    if (conventional) {
      p.user_name = p.uid == 0 ? "root" : p.uid == 65534 ? "nobody" : policy::kDefaultUserName;
    }
  }
  if (flags.gid) p.gid = static_cast<gid_t>(*flags.gid);

  // parse_exec has chosen the root already when it ran locally (the root picks the base policy).
  if (flags.rootfs && !request.remote.empty()) {
    if (!is_tree_name(*flags.rootfs)) {
      return make_error("--rootfs " + *flags.rootfs +
                        ": not with --remote (the service cannot see your files); name one of the service's trees");
    }
    p.rootfs = *flags.rootfs;  // the service looks its trees up by name
  } else if (flags.rootfs && request.rootfs.note.empty()) {
    SBX_ASSIGN_OR_RETURN(request.rootfs, choose_rootfs(flags.rootfs, {}, tree_stores(caller), caller.cwd));
    p.rootfs = request.rootfs.rootfs;
  }

  for (const auto& v : flags.volumes) SBX_RETURN_IF_ERROR(add_volume(p, v, caller));
  for (const auto& t : flags.tmpfs) SBX_RETURN_IF_ERROR(add_tmpfs(p, t));
  merge_flag_mounts(p, std::move(policy_binds), std::move(policy_tmpfs));
  // Two flags for one target: refused here too, so `sbx policy show` never prints such a policy.
  SBX_RETURN_IF_ERROR(check_unique_mount_targets(p));

  if (flags.no_workspace) p.mount_workspace = false;
  if (flags.workdir) {
    auto workdir = normalize_sandbox_path(*flags.workdir);
    if (!workdir) return std::move(workdir).error().context("-w");
    p.workdir = *workdir;
    request.workdir_given = true;
  }

  for (const auto& file : flags.env_files) SBX_RETURN_IF_ERROR(add_env_file(p, file, caller));
  for (const auto& e : flags.env) SBX_RETURN_IF_ERROR(add_env(p, e, caller, "-e " + e));

  for (const auto& spec : flags.ulimits) {
    auto limit = rlimits::parse_ulimit(spec);
    if (!limit) return std::move(limit).error().context("--ulimit " + spec);
    std::erase_if(p.rlimits, [&](const policy::Rlimit& r) { return r.resource == limit->resource; });
    p.rlimits.push_back(*limit);
  }
  SBX_RETURN_IF_ERROR(finish_run_flags(run_flags, p, caller));
  if (!request.report_file.empty()) SBX_RETURN_IF_ERROR(check_report_file(request.report_file, caller));
  return first_operand;
}

// The policy --policy names, or the built-in default.
Result<policy::Policy> load_base_policy(const std::optional<std::string>& name_or_path, const CallerContext& caller) {
  if (!name_or_path) return policy::default_policy();
  auto loaded = policy::load_policy(*name_or_path, policy::policy_search_path(caller.getenv), caller.cwd);
  if (!loaded) return std::move(loaded).error().context("--policy " + *name_or_path);
  return std::move(loaded->policy);
}

// --rootfs wins; then a root the --policy names itself; then a built tree that lists the command
// (whose recipe's policy applies unless --policy named one); then the host's.
Result<RootfsChoice> choose_root(const BaseFlags& base, const policy::Policy& policy, const CallerContext& caller) {
  if (!base.rootfs && base.policy && policy.rootfs != "host") {
    // A tree the policy names by name is looked up like --rootfs NAME; its recipe's policy does
    // not apply: --policy named the policy.
    SBX_ASSIGN_OR_RETURN(RootfsChoice choice, choose_rootfs(policy.rootfs, {}, tree_stores(caller), caller.cwd,
                                                            "--policy " + *base.policy + ": rootfs"));
    choice.policy.clear();
    choice.note = (choice.tree_name.empty() ? choice.rootfs : "tree \"" + choice.tree_name + "\" (" + choice.rootfs + ")") +
                  ", the rootfs of --policy " + *base.policy;
    return choice;
  }
  return choose_rootfs(base.rootfs, base.command, tree_stores(caller), caller.cwd);
}

}  // namespace

Result<policy::Policy> apply_exec_flags(policy::Policy base, std::span<const std::string> args,
                                        const CallerContext& caller) {
  SBX_ASSIGN_OR_RETURN(const std::optional<std::string> policy_arg, policy_flag(args));
  if (policy_arg) return make_error("--policy " + *policy_arg + ": name the policy first, before the flags");
  ExecRequest request;
  request.policy = std::move(base);
  SBX_ASSIGN_OR_RETURN(const size_t first_operand, apply_flags(args, caller, request));
  if (first_operand < args.size()) {
    return make_error("unexpected \"" + args[first_operand] + "\": only sbx exec flags may follow the policy");
  }
  return std::move(request.policy);
}

Result<ExecRequest> parse_exec(std::span<const std::string> args, const CallerContext& caller) {
  SBX_ASSIGN_OR_RETURN(const BaseFlags base, base_flags(args));
  ExecRequest request;
  std::optional<std::string> rootfs_as_written;
  if (base.remote) {
    // The service has its own policies and trees, and picks a tree for the command itself: both
    // are named to it, never resolved here. The flags are applied to the built-in default only
    // to tell which of them were given, and sent as overrides.
    if (base.policy && policy::names_a_file(*base.policy)) {
      return make_error("--policy " + *base.policy + ": with --remote, name one of the service's policies (not a file)");
    }
    request.remote_policy = base.policy.value_or("");
    request.policy = policy::default_policy();
    if (!base.rootfs) {
      request.rootfs.note = "the service's choice for the command (--remote)";
    } else if (*base.rootfs == "host") {
      request.rootfs.note = "host (from --rootfs host, --remote)";
    } else {
      request.rootfs.note = "--rootfs " + *base.rootfs + ", the service's tree of that name (--remote)";
    }
  } else {
    SBX_ASSIGN_OR_RETURN(request.policy, load_base_policy(base.policy, caller));
    SBX_ASSIGN_OR_RETURN(request.rootfs, choose_root(base, request.policy, caller));
    if (!base.policy && !request.rootfs.policy.empty()) {
      SBX_ASSIGN_OR_RETURN(request.policy, load_base_policy(request.rootfs.policy, caller));
    }
    // A root the policy names stays as written in the hash, as `sbx policy show` prints it.
    if (!base.rootfs && base.policy) rootfs_as_written = request.policy.rootfs;
    request.policy.rootfs = request.rootfs.rootfs;
  }
  SBX_ASSIGN_OR_RETURN(const size_t first_operand, apply_flags(args, caller, request));
  if (first_operand >= args.size()) {
    return make_error("missing the command to run: sbx exec [OPTIONS] [--] COMMAND [ARG...]");
  }
  if (args[first_operand].empty()) {
    return make_error("the command is an empty string: name a program, e.g. sbx exec -- sh -c '...'");
  }
  policy::Policy& p = request.policy;
  // The hash is of the policy as written plus the flags, before any caller's values go in.
  request.policy_name = p.name;
  request.policy_as_written = p;
  if (rootfs_as_written) request.policy_as_written.rootfs = *rootfs_as_written;
  p.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(first_operand), args.end());
  RunResolution how;
  how.rootfs = base.remote ? RootfsLookup::kByTheService : RootfsLookup::kHere;
  how.workdir_given = request.workdir_given;
  SBX_RETURN_IF_ERROR(resolve_for_run(p, caller, how));
  return request;
}

std::string ExecRequest::policy_sha256() const { return policy::policy_sha256(policy_as_written); }

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
         "Landlock and seccomp. The current directory is visible read-only at /workspace.\n"
         "With --policy the sandbox starts as the policy describes (sbx-policy(5)) and the\n"
         "other flags override it.\n\n"
         "Sandbox options:\n" +
         format_option_help(specs) + "\nLimits, secrets and the verdict:\n" + format_option_help(limits) +
         "\nExit status: the command's; 128+N if killed by signal N; 124 on timeout; 125 if sbx\n"
         "failed; 126 if COMMAND is not executable; 127 if it was not found.\n";
}

}  // namespace sbx::cli
