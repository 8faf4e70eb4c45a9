#include "cgroup/systemd_scope.h"

#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "base/command_output.h"
#include "base/file_contents.h"
#include "cgroup/cgroup_fs.h"

namespace sbx::cgroup {
namespace {

// A D-Bus round trip to a local manager; a busy one may take a while.
constexpr std::chrono::milliseconds kCallLimit{10000};

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? "no message" : line;
}

Result<std::string> current_cgroup() {
  SBX_ASSIGN_OR_RETURN(const std::string text, read_file_contents("/proc/self/cgroup"));
  auto path = own_cgroup_path(text);
  if (!path) return make_error("no cgroup v2 entry in /proc/self/cgroup");
  return *path;
}

}  // namespace

Result<std::string> move_into_delegated_scope() {
  const bool system = ::geteuid() == 0;
  const std::string unit = "sbx-" + std::to_string(::getpid()) + ".scope";
  const auto initial = current_cgroup();
  const std::string before = initial ? *initial : "";

  std::vector<std::string> argv = {"busctl", system ? "--system" : "--user", "--quiet", "call",
                                   "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", "StartTransientUnit",
                                   "ssa(sv)a(sa(sv))", unit, "fail", "4",
                                   "PIDs", "au", "1", std::to_string(::getpid()),
                                   "Delegate", "b", "true",
                                   "CollectMode", "s", "inactive-or-failed",
                                   "Description", "s", "sbx sandbox supervisor",
                                   "0"};
  auto call = run_command(argv, kCallLimit);
  if (!call) {
    if (call.error().sys_errno == ENOENT) {
      return make_error("busctl (from systemd) is not installed (needed to ask systemd for a cgroup)");
    }
    return std::move(call).error().context("asking systemd for a delegated scope");
  }
  if (call->exit_code != 0) {
    const std::string why = first_line(call->err);
    if (why.find("Failed to connect to bus") != std::string::npos) {
      return make_error(std::string("cannot reach the systemd ") + (system ? "system" : "user") +
                        " manager over D-Bus: " + why +
                        (system ? "" : " (is there a user session? loginctl enable-linger)"));
    }
    return make_error("systemd refused a delegated scope: " + why);
  }

  // The call returns once the job is queued; the move happens when it runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto now = current_cgroup();
    if (now && *now != before && now->find(unit) != std::string::npos) return unit;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return make_error("systemd did not move sbx into " + unit + " within 5s");
}

}  // namespace sbx::cgroup
