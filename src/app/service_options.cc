#include "app/service_options.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "base/units.h"
#include "cgroup/placement.h"
#include "rpc/service.h"

namespace sbx::app {
namespace {

Result<size_t> count(std::string_view v, size_t max) {
  auto n = parse_uint(v);
  if (!n || *n == 0 || *n > max) return make_error("expected a number from 1 to " + std::to_string(max));
  return static_cast<size_t>(*n);
}

std::vector<std::string> split_list(std::string_view v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t end = v.find(',', start);
    if (end == std::string_view::npos) end = v.size();
    if (end > start) out.emplace_back(v.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<cli::OptionSpec> service_specs(ServiceFlags& f) {
  return {
      {"max-concurrency", 0, true, "N", "runs at once (default 4)",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.admission.max_running, count(v, 4096));
         return {};
       }},
      {"queue", 0, true, "N", "runs that may wait beyond those; more are refused as busy (default 64)",
       [&f](std::string_view v) -> Status {
         auto n = parse_uint(v);
         if (!n || *n > 100000) return make_error("expected a number from 0 to 100000");
         f.admission.max_queued = static_cast<size_t>(*n);
         return {};
       }},
      {"max-message", 0, true, "SIZE", "longest request line accepted (default 32m)",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.max_message, parse_size(v));
         if (f.max_message < 4096) return make_error("must be at least 4k");
         return {};
       }},
      {"run-dir", 0, true, "DIR", "where private run directories are made (default $TMPDIR or /tmp)",
       [&f](std::string_view v) -> Status {
         if (v.empty() || v[0] != '/') return make_error("expected an absolute directory");
         f.run_dir = std::string(v);
         return {};
       }},
      {"timeout", 0, true, "DURATION", "longest run a request may ask for, and the default",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.limits.max_timeout, parse_duration(v));
         if (f.limits.max_timeout->count() <= 0) return make_error("must be above zero");
         return {};
       }},
      {"memory", 0, true, "SIZE", "most memory a run may ask for, and the default",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.limits.max_memory, parse_size(v));
         if (*f.limits.max_memory < (1u << 20)) return make_error("must be at least 1m");
         return {};
       }},
      {"pids", 0, true, "N", "most processes a run may ask for, and the default",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(const size_t n, count(v, 4194304));
         f.limits.max_pids = n;
         return {};
       }},
      {"output-limit", 0, true, "SIZE", "most output per stream a run may ask for, and the default",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.limits.max_output, parse_size(v));
         if (*f.limits.max_output < 1024) return make_error("must be at least 1k");
         return {};
       }},
      {"cgroup", 0, true, "required|best-effort", "cgroup enforcement for every run's --memory/--pids/--cpus",
       [&f](std::string_view v) -> Status {
         if (v != "required" && v != "best-effort") return make_error("expected \"required\" or \"best-effort\"");
         f.limits.cgroup = std::string(v);
         return {};
       }},
      {"languages", 0, true, "LIST",
       "languages offered, comma-separated (default: every one installed on the host or in a tree)",
       [&f](std::string_view v) -> Status {
         f.languages = split_list(v);
         if (f.languages.empty()) return make_error("expected names such as python,bash");
         return {};
       }},
  };
}

rpc::RunSettings run_settings(const ServiceFlags& f) {
  rpc::RunSettings s;
  // Every front end, sbx rpc and mcp too: unlike run directories, a standby worker leaves
  // nothing behind when its server is killed (it dies with it).
  s.workers_ahead = 4;
  s.run_root = f.run_dir;
  if (s.run_root.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    s.run_root = tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp";
  }
  // The last three say where the rootfs stores are: a worker finds the trees `sbx exec` would
  // find as the service's user (its own store and the system's), by name and by command.
  for (const char* name : {"XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "SBX_ROOTFS_STORE", "XDG_DATA_HOME", "HOME"}) {
    if (const char* value = std::getenv(name)) s.passthrough_env.push_back(std::string(name) + "=" + value);
  }
  // The worker's `--policy NAME` must find the file the service checked, whatever its own
  // environment would say about a home directory.
  s.passthrough_env.push_back(rpc::policy_path_variable(rpc::policy_dirs_from_environment()));
  // Every front end builds its settings once, before the first worker: the moment to step out of
  // a delegated cgroup (a systemd service's, with Delegate=) so the workers' runs can go beside.
  auto adopted = cgroup::adopt_own_cgroup_for_runs();
  if (!adopted) {
    spdlog::warn("cgroup: the service's delegated cgroup could not be prepared for runs: {}",
                 adopted.error().message);
  } else if (*adopted) {
    s.cgroup_parent = **adopted;
    spdlog::info("cgroup: runs with limits go under {}", s.cgroup_parent);
  }
  return s;
}

}  // namespace sbx::app
