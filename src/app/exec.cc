// `sbx exec`: flags -> policy -> plan -> sandbox -> exit status.
#include <sys/capability.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/confinement.h"
#include "cli/exec_options.h"
#include "launch/spawn.h"
#include "mounts/plan.h"
#include "rootfs/host_view.h"
#include "supervisor/supervise.h"

namespace sbx::app {
namespace {

cli::CallerContext caller_context() {
  cli::CallerContext caller;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof(cwd)) != nullptr) caller.cwd = cwd;
  caller.getenv = [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  return caller;
}

std::string setup_hint(const supervisor::Outcome& o) {
  using launch::Stage;
  switch (o.stage) {
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

int report_outcome(const supervisor::Outcome& o) {
  using Kind = supervisor::Outcome::Kind;
  switch (o.kind) {
    case Kind::kExited:
      return o.exit_code;
    case Kind::kSignaled:
      spdlog::info("program killed by signal {} ({})", o.signal, strsignal(o.signal));
      return 128 + o.signal;
    case Kind::kSetupError:
      break;
  }
  if (o.stage == launch::Stage::kExec) {
    if (o.sys_errno == ENOENT) {
      spdlog::error("exec: {}: command not found in the sandbox", o.what);
      return kExitNotFound;
    }
    spdlog::error("exec: {}: {} (cannot execute it in the sandbox)", o.what, std::strerror(o.sys_errno));
    return kExitCannotExec;
  }
  spdlog::error("{}: {}: {}{}", launch::stage_name(o.stage), o.what, std::strerror(o.sys_errno),
                setup_hint(o));
  return kExitUsage;
}

std::string userns_hint(int err) {
  if (err == EPERM || err == EACCES) {
    return " (unprivileged user namespaces are blocked on this host: run `sbx doctor` for the fix)";
  }
  if (err == ENOSPC) return " (the user namespace limit is reached: raise user.max_user_namespaces)";
  return "";
}

}  // namespace

int run_exec(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "-h" || a == "--help") {
      std::cout << cli::exec_help();
      return 0;
    }
    if (a.empty() || a[0] != '-') break;
  }
  auto request = cli::parse_exec(args, caller_context());
  if (!request) {
    spdlog::error("exec: {}", request.error().message);
    return kExitUsage;
  }
  if (request->verbosity > 0) setup_logging(global.verbosity + request->verbosity, global.quiet);
  const policy::Policy& policy = request->policy;
  spdlog::debug("flags parsed");

  rootfs::RealHostView host;
  auto mounts = mounts::plan_mounts(policy, host);
  if (!mounts) {
    spdlog::error("exec: {}", mounts.error().message);
    return kExitUsage;
  }
  spdlog::debug("mount plan: {} steps", mounts->steps.size());

  launch::LaunchPlan plan(policy, std::move(*mounts), static_cast<int>(cap_max_bits()) - 1, ::geteuid() == 0);
  auto layers = add_confinement(policy, plan);
  if (!layers) {
    spdlog::error("exec: {}", layers.error().message);
    return kExitUsage;
  }
  for (const auto& layer : *layers) {
    if (layer.enforced) {
      spdlog::info("{}: {}", layer.layer, layer.detail);
    } else {
      spdlog::warn("{}: skipped (best-effort): {}", layer.layer, layer.detail);
    }
  }

  auto signals = supervisor::ForwardedSignals::block();
  if (!signals) {
    spdlog::error("exec: {}", signals.error().message);
    return kExitUsage;
  }
  const auto ids = launch::choose_id_mapping(policy.uid, policy.gid, ::geteuid(), ::getegid());
  spdlog::info("sandbox uid {} gid {} -> host uid {} gid {}", ids.inside_uid, ids.inside_gid, ids.outside_uid,
               ids.outside_gid);
  auto sandbox = launch::spawn_sandbox(plan, ids);
  if (!sandbox) {
    spdlog::error("exec: {}{}", sandbox.error().message, userns_hint(sandbox.error().sys_errno));
    return kExitUsage;
  }
  spdlog::debug("sandbox started: init pid {}", sandbox->pid());
  auto outcome = supervisor::supervise(*sandbox, *signals);
  spdlog::debug("sandbox init reaped");
  if (!outcome) {
    spdlog::error("exec: {}", outcome.error().message);
    return kExitUsage;
  }
  return report_outcome(*outcome);
}

}  // namespace sbx::app
