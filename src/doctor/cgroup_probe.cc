// cgroup v2: is the unified hierarchy mounted, is this user's cgroup delegated, and which
// controllers could a run use? Read-only: nothing under /sys/fs/cgroup is written or created.
#include <unistd.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_contents.h"
#include "cgroup/cgroup_fs.h"
#include "doctor/host_files.h"
#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

// What --memory, --pids and --cpus write to.
constexpr const char* kNeeded[] = {"memory", "pids", "cpu"};

bool contains(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

constexpr const char* kDelegateFix =
    "run sbx inside a delegated cgroup: systemd-run --user --scope -p Delegate=yes sbx exec ... "
    "(or pass --cgroup-parent DIR with a cgroup you own)";

}  // namespace

std::vector<std::string> v1_controllers_of(std::string_view proc_self_cgroup) {
  std::vector<std::string> out;
  for (std::string_view line : split_lines(proc_self_cgroup)) {
    // "hierarchy-id:controller,list:path"; the v2 line is "0::path".
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view list = line.substr(first + 1, second - first - 1);
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view name = list.substr(0, comma);
      if (!name.empty() && name.substr(0, 5) != "name=") out.emplace_back(name);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return out;
}

Check evaluate_cgroup2(const CgroupFacts& f) {
  // cgroups only back the optional --memory/--pids/--cpus limits, which fall back to rlimits,
  // so this check stops at warn.
  Check c{"cgroup2", "cgroup v2", Level::kOk, "", ""};
  std::vector<std::string> v1_needed;
  for (const char* name : kNeeded) {
    if (contains(f.v1_controllers, name)) v1_needed.emplace_back(name);
  }
  const std::string v1_note =
      f.v1_controllers.empty() ? "" : "; cgroup v1 hierarchies hold: " + join(f.v1_controllers);

  if (f.mount.empty()) {
    c.level = Level::kWarn;
    c.detail = "no cgroup2 filesystem is mounted" + v1_note +
               "; --memory/--pids/--cpus cannot use cgroups";
    c.fix = "boot with systemd.unified_cgroup_hierarchy=1 so systemd mounts cgroup v2";
    return c;
  }
  if (f.own_path.empty()) {
    c.level = Level::kWarn;
    c.detail = "cgroup2 is mounted at " + f.mount + ", but /proc/self/cgroup has no \"0::\" line";
    c.fix = "run sbx in a process that belongs to the cgroup v2 hierarchy (not a v1-only container)";
    return c;
  }
  const std::string dir = f.mount + (f.own_path == "/" ? "" : f.own_path);
  c.detail = "mounted at " + f.mount + ", own cgroup " + f.own_path;
  c.detail += f.writable ? " (delegated: writable)" : " (not writable by uid " + std::to_string(f.uid) + ")";
  c.detail += ", controllers: " + (f.controllers.empty() ? std::string("none") : join(f.controllers));

  std::vector<std::string> missing;
  for (const char* name : kNeeded) {
    if (!contains(f.controllers, name)) missing.emplace_back(name);
  }
  if (!missing.empty()) {
    c.level = Level::kWarn;
    c.detail += "; missing for --memory/--pids/--cpus: " + join(missing) + v1_note;
    if (!v1_needed.empty()) {
      c.fix = "move the controllers to cgroup v2: boot with systemd.unified_cgroup_hierarchy=1 "
              "cgroup_no_v1=all";
    } else {
      std::string plus;
      for (const auto& name : missing) plus += (plus.empty() ? "+" : " +") + name;
      c.fix = "enable them for the levels above " + dir + ", starting with: echo '" + plus +
              "' | sudo tee " + f.mount + "/cgroup.subtree_control";
    }
    return c;
  }
  if (!f.writable) {
    c.level = Level::kWarn;
    c.detail += "; sbx will try a transient systemd scope";
    c.fix = kDelegateFix;
    return c;
  }
  if (!f.subtree_control.empty()) c.detail += ", enabled for children: " + join(f.subtree_control);
  return c;
}

Check probe_cgroup2() {
  CgroupFacts f;
  f.uid = static_cast<unsigned>(::geteuid());
  const auto self = read_file_contents("/proc/self/cgroup");
  if (self) {
    f.v1_controllers = v1_controllers_of(*self);
    f.own_path = cgroup::own_cgroup_path(*self).value_or("");
  }
  if (const auto mountinfo = read_file_contents("/proc/self/mountinfo")) {
    f.mount = cgroup::find_cgroup2_mount(*mountinfo).value_or("");
  }
  if (!f.mount.empty() && !f.own_path.empty()) {
    const std::string dir = f.mount + (f.own_path == "/" ? "" : f.own_path);
    // access(2) only: the doctor never writes under /sys/fs/cgroup.
    f.writable = cgroup::is_delegated(dir);
    if (auto text = read_file_contents(dir + "/cgroup.controllers")) {
      f.controllers = cgroup::split_words(*text);
    }
    if (auto text = read_file_contents(dir + "/cgroup.subtree_control")) {
      f.subtree_control = cgroup::split_words(*text);
    }
  }
  return evaluate_cgroup2(f);
}

}  // namespace sbx::doctor
