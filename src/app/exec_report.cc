#include "app/exec_report.h"

#include <sys/resource.h>

#include <cstdio>
#include <csignal>
#include <cstring>
#include <optional>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "policy/network_mode.h"
#include "rlimits/names.h"

namespace sbx::app {
namespace {

using supervisor::Outcome;

constexpr int kExitTimeout = 124;

std::string setup_hint(const Outcome& o) {
  using launch::Stage;
  switch (o.stage) {
    case Stage::kNamespaces:
      if (o.sys_errno == ENOSPC || o.sys_errno == EPERM || o.sys_errno == EUSERS) {
        return " (the host limits these namespaces, e.g. user.max_mnt_namespaces: run sbx doctor)";
      }
      return "";
    case Stage::kNetwork:
      if (o.sys_errno == ENOSPC || o.sys_errno == EPERM || o.sys_errno == EUSERS) {
        return " (the host limits network namespaces, e.g. user.max_net_namespaces: run sbx doctor)";
      }
      return "";
    case Stage::kWorkdir:
      return " (the working directory does not exist in the sandbox: pass -w with an existing directory)";
    case Stage::kMounts:
      if (o.sys_errno == EROFS) {
        return " (the mount point would have to be created inside a read-only mount: create it on the "
               "host first or mount elsewhere)";
      }
      if (o.sys_errno == ELOOP) return " (a path component changed into a symlink since sbx checked it)";
      return "";
    case Stage::kRlimits:
      return " (a hard limit cannot be raised above the caller's own: check ulimit -H)";
    case Stage::kLandlock:
      return " (pass --landlock best-effort to run without Landlock)";
    case Stage::kSeccomp:
      return " (pass --seccomp best-effort to run without seccomp)";
    default:
      return "";
  }
}

std::string human_duration(std::chrono::nanoseconds d) {
  const double s = static_cast<double>(d.count()) / 1e9;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%gs", s);
  return buf;
}

double to_ms(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0;
}

nlohmann::ordered_json rlimits_json(const policy::Policy& p) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  auto value = [](uint64_t v) { return v == RLIM_INFINITY ? nlohmann::ordered_json("unlimited") : nlohmann::ordered_json(v); };
  for (const auto& r : p.rlimits) {
    j[rlimits::resource_name(r.resource)] = {{"soft", value(r.soft)}, {"hard", value(r.hard)}};
  }
  return j;
}

nlohmann::ordered_json layers_json(const VerdictInputs& in) {
  nlohmann::ordered_json layers;
  std::vector<std::string> ns = {"user", "mount", "pid", "ipc", "uts", "cgroup"};
  if (policy::has_own_network(in.policy.network)) ns.insert(ns.begin() + 3, "net");
  layers["namespaces"] = ns;
  layers["network"] = policy::network_mode_name(in.policy.network);
  for (const auto& l : in.layers) {
    nlohmann::ordered_json entry = l.facts;
    entry["enforced"] = l.enforced;
    entry["detail"] = l.detail;
    layers[l.layer] = entry;
  }
  layers["capabilities"] = {{"enforced", true}, {"detail", "all sets and the bounding set empty, no_new_privs"}};
  layers["rlimits"] = rlimits_json(in.policy);
  return layers;
}

std::optional<uint64_t> soft_rlimit(const policy::Policy& p, int resource) {
  for (const auto& r : p.rlimits) {
    if (r.resource == resource && r.soft != RLIM_INFINITY) return r.soft;
  }
  return std::nullopt;
}

}  // namespace

std::string signal_end_message(int signal, const policy::Policy& p) {
  if (signal == SIGINT || signal == SIGPIPE) return "";
  const char* abbrev = sigabbrev_np(signal);
  const std::string name = abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
  if (signal == SIGXCPU) {
    if (auto limit = soft_rlimit(p, RLIMIT_CPU)) {
      return "sbx: killed by SIGXCPU: the CPU-time limit of " + std::to_string(*limit) + "s was reached";
    }
  }
  if (signal == SIGSYS && p.seccomp_rules.deny_action == policy::SeccompDenyAction::kKill) {
    return "sbx: killed by SIGSYS: the program made a system call the seccomp filter denies (the policy's "
           "seccomp deny_action is kill; with errno it would have failed with EPERM instead)";
  }
  if (signal == SIGXFSZ) {
    if (auto limit = soft_rlimit(p, RLIMIT_FSIZE)) {
      return "sbx: killed by SIGXFSZ: a write went past the file size limit of " + std::to_string(*limit) +
             " bytes";
    }
  }
  const char* description = sigdescr_np(signal);
  return "sbx: killed by " + name + (description != nullptr ? std::string(" (") + description + ")" : "");
}

int exit_status(const Outcome& o) {
  if (o.timed_out) return kExitTimeout;
  switch (o.kind) {
    case Outcome::Kind::kExited:
      return o.exit_code;
    case Outcome::Kind::kSignaled:
      return 128 + o.signal;
    case Outcome::Kind::kSetupError:
      break;
  }
  if (o.stage == launch::Stage::kExec) return o.sys_errno == ENOENT ? kExitNotFound : kExitCannotExec;
  return kExitUsage;
}

std::string setup_error_message(const Outcome& o) {
  if (o.stage == launch::Stage::kExec) {
    if (o.sys_errno == ENOENT) return "exec: " + o.what + ": command not found in the sandbox";
    return "exec: " + o.what + ": " + std::strerror(o.sys_errno) + " (cannot execute it in the sandbox)";
  }
  return std::string(launch::stage_name(o.stage)) + ": " + o.what + ": " + std::strerror(o.sys_errno) +
         setup_hint(o);
}

void log_run_end(const Outcome& o, const policy::Policy& p, const OutputPlumbing& output, bool quiet) {
  if (quiet || o.kind == Outcome::Kind::kSetupError) return;
  // Plain lines rather than log records: they are part of the result, like a shell's "Killed".
  if (o.timed_out) {
    std::fprintf(stderr, "sbx: killed: wall-clock timeout %s exceeded%s\n", human_duration(*p.limits.timeout).c_str(),
                 o.killed_at_timeout
                     ? (" (SIGKILL after the " + human_duration(p.limits.kill_after) + " grace)").c_str()
                     : "");
  } else if (o.oom_killed) {
    std::fprintf(stderr, "sbx: killed: out of memory (--memory %llu bytes)\n",
                 static_cast<unsigned long long>(p.limits.memory_bytes.value_or(0)));
  } else if (!o.output_limit_stream.empty()) {
    std::fprintf(stderr, "sbx: killed: %s exceeded the output limit of %llu bytes\n", o.output_limit_stream.c_str(),
                 static_cast<unsigned long long>(p.limits.output_limit_bytes));
  } else if (o.kind == Outcome::Kind::kSignaled) {
    if (const auto message = signal_end_message(o.signal, p); !message.empty()) {
      std::fprintf(stderr, "%s\n", message.c_str());
    }
  }
  for (const auto* s : {output.stdout_stream, output.stderr_stream}) {
    if (s == nullptr || o.output_limit_stream == s->name()) continue;
    const auto r = s->report();
    if (r.truncated) {
      std::fprintf(stderr, "sbx: %s truncated: %llu bytes dropped from the middle (--output-limit %llu)\n",
                   s->name().c_str(), static_cast<unsigned long long>(r.dropped_bytes),
                   static_cast<unsigned long long>(p.limits.output_limit_bytes));
    }
  }
}

supervisor::Verdict build_verdict(const VerdictInputs& in) {
  using supervisor::RunStatus;
  const Outcome& o = in.outcome;
  supervisor::Verdict v;
  v.id = in.id;
  v.policy_name = in.policy.name;
  v.policy_sha256 = in.policy_sha256;
  for (const auto& a : in.policy.argv) v.argv.push_back(in.redact(a));
  if (o.kind == Outcome::Kind::kSetupError) {
    v.status = RunStatus::kSetupError;
    v.error_stage = launch::stage_name(o.stage);
    v.error_message = in.redact(setup_error_message(o));
  } else if (o.timed_out) {
    v.status = RunStatus::kTimeout;
  } else if (o.oom_killed) {
    v.status = RunStatus::kOom;
  } else if (!o.output_limit_stream.empty()) {
    v.status = RunStatus::kOutputLimit;
  } else if (o.kind == Outcome::Kind::kSignaled) {
    v.status = RunStatus::kSignaled;
  } else {
    v.status = RunStatus::kExited;
  }
  if (o.kind == Outcome::Kind::kExited) v.exit_code = o.exit_code;
  if (o.kind == Outcome::Kind::kSignaled) v.signal = o.signal;
  v.timed_out = o.timed_out;
  v.oom_killed = o.oom_killed;
  v.duration_ms = static_cast<double>(o.duration.count()) / 1e6;
  v.cpu_user_ms = to_ms(o.usage.ru_utime);
  v.cpu_system_ms = to_ms(o.usage.ru_stime);
  if (o.usage.ru_maxrss > 0) v.peak_memory_bytes = static_cast<uint64_t>(o.usage.ru_maxrss) * 1024;
  if (in.cgroup_stats) {
    // The cgroup counts the whole sandbox, where rusage only sees the largest single process.
    if (in.cgroup_stats->memory_peak) v.peak_memory_bytes = in.cgroup_stats->memory_peak;
    if (in.cgroup_stats->cpu_user_us) v.cpu_user_ms = static_cast<double>(*in.cgroup_stats->cpu_user_us) / 1000.0;
    if (in.cgroup_stats->cpu_system_us) {
      v.cpu_system_ms = static_cast<double>(*in.cgroup_stats->cpu_system_us) / 1000.0;
    }
    if (in.cgroup_stats->pids_peak) v.pids_peak = in.cgroup_stats->pids_peak;
  }
  if (in.output.stdout_stream != nullptr) v.stdout_report = in.output.stdout_stream->report();
  if (in.output.stderr_stream != nullptr) v.stderr_report = in.output.stderr_stream->report();
  for (const auto& s : in.policy.secrets) v.redactions[s.name] = 0;
  for (const auto& s : in.output.streams) {
    if (s->transform() != nullptr) s->transform()->add_counts(v.redactions);
  }
  v.layers = layers_json(in);
  return v;
}

}  // namespace sbx::app
