#include "app/exec_cgroup.h"

#include <sys/resource.h>


#include "cgroup/placement.h"

namespace sbx::app {
namespace {

void set_rlimit(policy::Policy& p, int resource, uint64_t value) {
  for (auto& r : p.rlimits) {
    if (r.resource == resource) {
      r.soft = std::min(r.soft, value);
      r.hard = std::min(r.hard, value);
      return;
    }
  }
  p.rlimits.push_back({resource, value, value});
}

// Without a cgroup: RLIMIT_AS caps each process's address space (not the sandbox's memory),
// RLIMIT_NPROC counts the sandbox user's processes in its own user namespace, and nothing
// limits a CPU share.
nlohmann::ordered_json apply_fallback(policy::Policy& p) {
  nlohmann::ordered_json applied = nlohmann::ordered_json::object();
  const auto& l = p.limits;
  if (l.memory_bytes) {
    set_rlimit(p, RLIMIT_AS, *l.memory_bytes);
    applied["memory"] = "RLIMIT_AS per process";
  }
  if (l.pids) {
    set_rlimit(p, RLIMIT_NPROC, *l.pids);
    applied["pids"] = "RLIMIT_NPROC in the sandbox's user namespace";
  }
  if (l.cpus) applied["cpus"] = "not enforced (no rlimit equivalent)";
  return applied;
}

nlohmann::ordered_json requested(const policy::Limits& l) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (l.memory_bytes) j["memory_bytes"] = *l.memory_bytes;
  if (l.pids) j["pids"] = *l.pids;
  if (l.cpus) j["cpus"] = *l.cpus;
  return j;
}

}  // namespace

Result<CgroupSetup> setup_cgroup_limits(policy::Policy& p) {
  const auto& l = p.limits;
  CgroupSetup setup;
  setup.layer = {"cgroup", false, "no cgroup limits were requested"};
  setup.layer.requested = false;
  if (!l.memory_bytes && !l.pids && !l.cpus) return setup;

  std::vector<std::string> controllers;
  if (l.memory_bytes) controllers.emplace_back("memory");
  if (l.pids) controllers.emplace_back("pids");
  if (l.cpus) controllers.emplace_back("cpu");
  auto placement = cgroup::find_placement(l.cgroup_parent, controllers);
  if (placement) {
    auto run = cgroup::RunCgroup::create(placement->parent, {l.memory_bytes, l.pids, l.cpus});
    if (run) {
      setup.layer = {"cgroup", true, run->path() + " (" + placement->how + ")"};
      setup.layer.facts = {{"path", run->path()}, {"placement", placement->how}, {"limits", requested(l)}};
      setup.run.emplace(std::move(*run));
      return setup;
    }
    placement = run.error();
  }
  const std::string why = placement.error().message;
  if (l.cgroup == policy::Enforcement::kRequired) {
    return make_error("--memory/--pids/--cpus need a cgroup v2 cgroup you may manage, and none was found (" + why +
                      "); run under `systemd-run --user --scope -p Delegate=yes`, pass --cgroup-parent, or "
                      "--cgroup best-effort to fall back to rlimits (see sbx doctor)");
  }
  setup.layer = {"cgroup", false, why};
  setup.layer.facts = {{"limits", requested(l)}, {"fallback", apply_fallback(p)}};
  return setup;
}

}  // namespace sbx::app
