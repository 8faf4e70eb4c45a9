#include "cli/run_options.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "base/units.h"
#include "cli/assignment_file.h"
#include "policy/validate.h"

namespace sbx::cli {
namespace {

Result<std::chrono::nanoseconds> positive_duration(std::string_view value) {
  SBX_ASSIGN_OR_RETURN(const auto d, parse_duration(value));
  if (d.count() <= 0) return make_error("the duration must be above zero, e.g. 10s or 1.5m");
  return d;
}

// Errors name the secret and the flag, never the value.
Status add_secret(policy::Policy& p, std::string name, std::string value, bool inject, const std::string& origin) {
  if (!policy::valid_secret_name(name)) {
    return make_error(origin + ": \"" + name + "\" is not a valid secret name (letters, digits, _ and -)");
  }
  if (value.size() < kMinSecretBytes) {
    return make_error(origin + ": the value of " + name + " is shorter than " + std::to_string(kMinSecretBytes) +
                      " bytes; redacting it would mangle ordinary output, so it is refused");
  }
  for (const auto& s : p.secrets) {
    if (s.name == name) return make_error(origin + ": secret " + name + " is given twice");
  }
  p.secrets.push_back({std::move(name), std::move(value), inject});
  return {};
}

Status add_secret_file(policy::Policy& p, const std::string& file, const CallerContext& caller) {
  return for_each_assignment_line(
      "--secret-file", file, caller, [&](std::string_view line, const std::string& origin) -> Status {
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos) return make_error(origin + ": expected NAME=VALUE");
        return add_secret(p, std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)), /*inject=*/true,
                          origin);
      });
}

}  // namespace

std::vector<OptionSpec> run_specs(RunFlags& f, policy::Policy& p, ExecRequest& r) {
  auto collect = [](std::vector<std::string>& into) {
    return [&into](std::string_view v) -> Status {
      into.emplace_back(v);
      return {};
    };
  };
  return {
      {"timeout", 0, true, "DURATION", "wall-clock limit (10, 1.5s, 2m, 1h); exit status 124",
       [&p](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(p.limits.timeout, positive_duration(v));
         return {};
       }},
      {"kill-after", 0, true, "DURATION", "grace between SIGTERM and SIGKILL on timeout (default 5s)",
       [&p](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(p.limits.kill_after, positive_duration(v));
         return {};
       }},
      {"cpu-time", 0, true, "DURATION", "CPU-time limit (RLIMIT_CPU, whole seconds)",
       [&f](std::string_view v) -> Status {
         f.cpu_time = std::string(v);
         return {};
       }},
      {"output-limit", 0, true, "SIZE", "per-stream output limit (default 16m)",
       [&p](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(const uint64_t size, parse_size(v));
         if (size < 1024) return make_error("the limit must be at least 1k");
         p.limits.output_limit_bytes = size;
         return {};
       }},
      {"on-output-limit", 0, true, "truncate|kill", "keep head and tail (default) or end the run",
       [&p](std::string_view v) -> Status {
         if (v == "truncate") {
           p.limits.on_output_limit = policy::OutputLimitAction::kTruncate;
         } else if (v == "kill") {
           p.limits.on_output_limit = policy::OutputLimitAction::kKill;
         } else {
           return make_error("expected \"truncate\" or \"kill\", got \"" + std::string(v) + "\"");
         }
         return {};
       }},
      {"memory", 0, true, "SIZE", "memory limit for the whole sandbox (cgroup memory.max, no swap)",
       [&p](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(const uint64_t size, parse_size(v));
         if (size < (1u << 20)) return make_error("the limit must be at least 1m");
         p.limits.memory_bytes = size;
         return {};
       }},
      {"pids", 0, true, "N", "most processes and threads at once (cgroup pids.max)",
       [&p](std::string_view v) -> Status {
         auto n = parse_uint(v);
         if (!n || *n == 0 || *n > 4194304) return make_error("expected a number from 1 to 4194304");
         p.limits.pids = *n;
         return {};
       }},
      {"cpus", 0, true, "FLOAT", "CPU share, e.g. 0.5 or 2 (cgroup cpu.max)",
       [&p](std::string_view v) -> Status {
         char* end = nullptr;
         const std::string text(v);
         const double cpus = std::strtod(text.c_str(), &end);
         if (text.empty() || *end != '\0' || !(cpus >= 0.01 && cpus <= 4096)) {
           return make_error("expected a number of CPUs from 0.01 to 4096, e.g. 0.5");
         }
         p.limits.cpus = cpus;
         return {};
       }},
      {"cgroup", 0, true, "required|best-effort", "what to do if no cgroup can be had for the limits",
       [&p](std::string_view v) -> Status {
         if (v == "required") {
           p.limits.cgroup = policy::Enforcement::kRequired;
         } else if (v == "best-effort") {
           p.limits.cgroup = policy::Enforcement::kBestEffort;
         } else {
           return make_error("expected \"required\" or \"best-effort\", got \"" + std::string(v) + "\"");
         }
         return {};
       }},
      {"cgroup-parent", 0, true, "DIR", "create run cgroups under DIR (a delegated cgroup v2 directory)",
       [&p](std::string_view v) -> Status {
         if (v.empty() || v[0] != '/') return make_error("expected an absolute path under the cgroup v2 mount");
         p.limits.cgroup_parent = std::string(v);
         return {};
       }},
      {"secret", 0, true, "NAME", "pass your variable NAME in and redact its value from the output",
       collect(f.secrets)},
      {"secret-file", 0, true, "FILE", "like --secret for each NAME=VALUE line of FILE", collect(f.secret_files)},
      {"redact", 0, true, "VALUE", "redact VALUE from the output (not passed in)", collect(f.redact)},
      {"json", 0, false, "", "print one JSON verdict on stdout, with the output captured inside",
       [&r](std::string_view) -> Status {
         r.json = true;
         return {};
       }},
      {"report-fd", 0, true, "N", "also write the JSON verdict to file descriptor N",
       [&r](std::string_view v) -> Status {
         auto fd = parse_uint(v);
         if (!fd || *fd < 3 || *fd > 1000000) return make_error("expected a descriptor number of 3 or more");
         if (::fcntl(static_cast<int>(*fd), F_GETFD) < 0) {
           return make_error("descriptor " + std::string(v) + " is not open (e.g. 3>verdict.json)");
         }
         r.report_fd = static_cast<int>(*fd);
         return {};
       }},
      {"report", 0, true, "FILE", "also write the JSON verdict to FILE",
       [&r](std::string_view v) -> Status {
         if (v.empty()) return make_error("the file name is empty");
         r.report_file = std::string(v);
         return {};
       }},
  };
}

Status finish_run_flags(const RunFlags& f, policy::Policy& p, const CallerContext& caller) {
  if (f.cpu_time) {
    auto d = positive_duration(*f.cpu_time);
    if (!d) return std::move(d).error().context("--cpu-time " + *f.cpu_time);
    // Whole seconds, rounded up: the kernel counts RLIMIT_CPU in seconds.
    const auto ns = d->count();
    p.limits.cpu_seconds = static_cast<uint64_t>((ns + 999'999'999) / 1'000'000'000);
  }
  for (const auto& name : f.secrets) {
    const std::string origin = "--secret " + name;
    auto value = caller.getenv(name);
    if (!value) return make_error(origin + ": " + name + " is not set in your environment");
    SBX_RETURN_IF_ERROR(add_secret(p, name, *value, /*inject=*/true, origin));
  }
  for (const auto& file : f.secret_files) SBX_RETURN_IF_ERROR(add_secret_file(p, file, caller));
  for (size_t i = 0; i < f.redact.size(); ++i) {
    SBX_RETURN_IF_ERROR(add_secret(p, "redact-" + std::to_string(i + 1), f.redact[i], /*inject=*/false,
                                   "--redact #" + std::to_string(i + 1)));
  }
  return {};
}

Status check_report_file(const std::string& file, const CallerContext& caller) {
  const std::string path = file[0] == '/' ? file : caller.cwd + "/" + file;
  const std::string dir = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return make_error("--report " + file + ": is a directory; name the file to write the verdict to");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return errno_error("--report " + file + ": the verdict could not be written in " + dir);
  }
  return {};
}

}  // namespace sbx::cli
