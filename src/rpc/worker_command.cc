#include "rpc/worker_command.h"

#include <cstdio>

#include "rpc/caller_limits.h"
#include "rpc/languages.h"

namespace sbx::rpc {
namespace {

std::string milliseconds(std::chrono::nanoseconds d) {
  const auto ms = std::max<int64_t>(1, (d.count() + 999'999) / 1'000'000);
  return std::to_string(ms) + "ms";
}

}  // namespace

Result<WorkerCommand> build_worker_command(const RunRequest& r, const WorkerLayout& layout) {
  WorkerCommand c;
  auto& a = c.argv;
  a = {layout.binary, "exec"};
  if (r.stream) {
    a.insert(a.end(), {"--report-fd", std::to_string(kWorkerReportFd)});
  } else {
    a.push_back("--json");
  }
  a.insert(a.end(), {"-v", layout.workspace_dir + ":/workspace:rw"});
  a.insert(a.end(), {"-w", r.workdir.value_or("/workspace")});
  std::vector<std::string> program = r.argv;
  if (!r.language.empty()) {
    const Language* language = find_language(r.language);
    if (language == nullptr) {
      std::string list;
      for (const auto& l : all_languages()) list += (list.empty() ? "" : ", ") + l.name;
      return make_error("params.language: unknown language \"" + r.language + "\" (known: " + list + ")");
    }
    a.insert(a.end(), {"-v", layout.code_dir + ":" + std::string(kCodeDir) + ":ro"});
    program = language_argv(*language);
  }
  if (layout.secrets) a.insert(a.end(), {"--secret-file", "/dev/fd/" + std::to_string(kWorkerSecretsFd)});
  for (const auto& [name, value] : r.env) a.insert(a.end(), {"-e", name + "=" + value});
  if (!r.policy.empty() && r.policy != "default") a.insert(a.end(), {"--policy", r.policy});
  if (!r.rootfs.empty()) a.insert(a.end(), {"--rootfs", r.rootfs});
  if (r.network) a.insert(a.end(), {"--network", *r.network});
  if (r.hostname) a.insert(a.end(), {"--hostname", *r.hostname});
  if (r.uid) a.insert(a.end(), {"--uid", std::to_string(*r.uid)});
  if (r.gid) a.insert(a.end(), {"--gid", std::to_string(*r.gid)});
  if (r.read_only) a.push_back("--read-only");
  for (const auto& t : r.tmpfs) a.insert(a.end(), {"--tmpfs", t});
  for (const auto& u : r.ulimits) a.insert(a.end(), {"--ulimit", u});
  if (r.landlock) a.insert(a.end(), {"--landlock", *r.landlock});
  if (r.seccomp) a.insert(a.end(), {"--seccomp", *r.seccomp});
  const RunLimits& l = r.limits;
  if (l.timeout) a.insert(a.end(), {"--timeout", milliseconds(*l.timeout)});
  if (l.kill_after) a.insert(a.end(), {"--kill-after", milliseconds(*l.kill_after)});
  if (l.cpu_time) a.insert(a.end(), {"--cpu-time", milliseconds(*l.cpu_time)});
  if (l.output_limit) a.insert(a.end(), {"--output-limit", std::to_string(*l.output_limit)});
  if (l.on_output_limit) a.insert(a.end(), {"--on-output-limit", *l.on_output_limit});
  if (l.memory) a.insert(a.end(), {"--memory", std::to_string(*l.memory)});
  if (l.pids) a.insert(a.end(), {"--pids", std::to_string(*l.pids)});
  if (l.cpus) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", *l.cpus);
    a.insert(a.end(), {"--cpus", text});
  }
  if (l.cgroup) a.insert(a.end(), {"--cgroup", *l.cgroup});
  if (!layout.cgroup_parent.empty() && (l.memory || l.pids || l.cpus)) {
    a.insert(a.end(), {"--cgroup-parent", layout.cgroup_parent});
  }
  a.push_back("--");
  a.insert(a.end(), program.begin(), program.end());

  c.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"};
  c.env.insert(c.env.end(), layout.passthrough_env.begin(), layout.passthrough_env.end());
  return c;
}

std::string secrets_file_content(const std::vector<NameValue>& secrets) {
  std::string out;
  for (const auto& [name, value] : secrets) out += name + "=" + value + "\n";
  return out;
}

}  // namespace sbx::rpc
