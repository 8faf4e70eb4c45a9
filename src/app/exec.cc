// `sbx exec`: flags -> policy -> plan -> sandbox -> exit status.
#include <signal.h>
#include <sys/capability.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/confinement.h"
#include "app/exec_cgroup.h"
#include "app/exec_output.h"
#include "app/exec_report.h"
#include "app/redaction.h"
#include "app/remote_exec.h"
#include "app/verdict_output.h"
#include "app/writable_binds.h"
#include "base/image_pages.h"
#include "cli/exec_options.h"
#include "doctor/doctor.h"
#include "launch/spawn.h"
#include "mounts/plan.h"
#include "policy/network_mode.h"
#include "rootfs/host_view.h"
#include "supervisor/supervise.h"
#include "supervisor/verdict.h"

namespace sbx::app {
namespace {

// The errnos with which creating the user namespace (or writing its maps) fails when the host
// forbids it; the doctor names the knob that blocks it and the fix.
std::string userns_hint(int err) {
  if (err == EPERM || err == EACCES || err == ENOSPC || err == EUSERS) {
    return " (" + doctor::explain_userns_failure(err) + ")";
  }
  return "";
}

// The run is over and nothing outside this process is left to settle: output drained, verdict
// written, run cgroup removed. Freeing the plan, the policy and the loggers piece by piece
// took longer than the kernel takes to drop the whole address space, and the caller is waiting
// for this exit; only stdio's buffers still hold anything to write.
[[noreturn]] void end_process(int status) {
  std::fflush(nullptr);
  ::_exit(status);
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
  auto request = cli::parse_exec(args, cli::this_process_caller());
  if (!request) {
    spdlog::error("exec: {}", request.error().message);
    return kExitUsage;
  }
  if (request->verbosity > 0) setup_logging(global.verbosity + request->verbosity, global.quiet);
  if (spdlog::should_log(spdlog::level::info)) {
    spdlog::info("policy {} (sha256 {})", request->policy_name, request->policy_sha256());
  }
  spdlog::info("rootfs: {}", request->rootfs.note);
  if (!request->remote.empty()) return run_remote_exec(*request, global);
  // A copy: the cgroup fallback may add rlimits to it.
  policy::Policy policy = request->policy;
  auto compiled = Redaction::compile(policy.secrets);
  if (!compiled) {
    spdlog::error("exec: {}", compiled.error().message);
    return kExitUsage;
  }
  const Redaction& redaction = *compiled;
  auto cgroup = setup_cgroup_limits(policy);
  if (!cgroup) {
    spdlog::error("exec: {}", cgroup.error().message);
    return kExitUsage;
  }
  const auto ids = launch::choose_id_mapping(policy.uid, policy.gid, ::geteuid(), ::getegid());
  spdlog::info("sandbox uid {} gid {} -> host uid {} gid {}", ids.inside_uid, ids.inside_gid, ids.outside_uid,
               ids.outside_gid);
  // Cloned now, before the plan exists: the child creates its namespaces while this process works
  // out the mounts and the confinement. Every error return below kills it (PendingSandbox).
  launch::SandboxStart start;
  start.unshare_network = policy::has_own_network(policy.network);
  start.cgroup_fd = cgroup->run ? cgroup->run->dir_fd() : -1;
  auto pending = launch::start_sandbox(start, ids);
  if (!pending) {
    spdlog::error("exec: {}{}", pending.error().message, userns_hint(pending.error().sys_errno));
    return kExitUsage;
  }

  // The child starts on the part of the root that needs next to nothing of the host while this
  // process inspects the host for the rest.
  rootfs::RealHostView host;
  launch::Prelude prelude(policy, mounts::plan_prelude(policy, host), mounts::early_staging_dir(policy, host),
                          ::geteuid() == 0);
  if (auto sent = pending->send_prelude(prelude); !sent) {
    spdlog::error("exec: {}", sent.error().message);
    return kExitUsage;
  }
  auto mounts = mounts::plan_rest(policy, host);
  if (!mounts) {
    spdlog::error("exec: {}", redaction.text(mounts.error().message));
    return kExitUsage;
  }
  spdlog::debug("mount plan: {} steps after the prelude", mounts->steps.size());
  for (const auto& note : mounts->notes) spdlog::info("rootfs: {}", note);
  for (const auto& warning : unwritable_bind_warnings(policy, ids, ::geteuid())) spdlog::warn("{}", warning);

  launch::LaunchPlan plan(policy, std::move(*mounts), prelude.landlock_paths(), static_cast<int>(cap_max_bits()) - 1);
  auto layers = add_confinement(policy, plan);
  if (!layers) {
    spdlog::error("exec: {}", layers.error().message);
    return kExitUsage;
  }
  layers->push_back(cgroup->layer);
  for (const auto& layer : *layers) {
    if (layer.enforced || !layer.requested) {
      spdlog::info("{}: {}", layer.layer, layer.detail);
    } else {
      spdlog::warn("{}: skipped (best-effort): {}", layer.layer, layer.detail);
    }
  }

  auto output = plumb_output(policy, request->json, [&redaction] { return redaction.stream_transform(); });
  if (!output) {
    spdlog::error("exec: {}", output.error().message);
    return kExitUsage;
  }
  plan.set_output_fds(output->stdout_write.get(), output->stderr_write.get());

  // A caller that stops reading is an EPIPE to handle (the program's stream is closed, so it
  // sees the broken pipe as it would without sbx), not a death that skips the verdict and the
  // cleanup. The sandbox child resets every disposition; nothing else here execs.
  ::signal(SIGPIPE, SIG_IGN);
  auto signals = supervisor::block_forwarded_signals();
  if (!signals) {
    spdlog::error("exec: {}", signals.error().message);
    return kExitUsage;
  }
  supervisor::SuperviseOptions options;
  options.start = std::chrono::steady_clock::now();
  options.timeout = policy.limits.timeout;
  options.kill_after = policy.limits.kill_after;
  options.kill_on_output_limit = policy.limits.on_output_limit == policy::OutputLimitAction::kKill;
  // The run cgroup can only be read and removed once init has left it.
  options.wait_for_teardown = cgroup->run.has_value();
  options.release_startup_pages_after = kReleaseImagePagesAfter;
  auto sandbox = std::move(*pending).release(plan);
  if (!sandbox) {
    spdlog::error("exec: {}", sandbox.error().message);
    return kExitUsage;
  }
  // The sandbox holds its own copies; ours would keep the pipes from ever reaching EOF.
  output->stdout_write.reset();
  output->stderr_write.reset();
  spdlog::debug("sandbox started: init pid {}", sandbox->pid());
  auto outcome = supervisor::supervise(*sandbox, *signals, output->stream_list(), options);
  if (!outcome) {
    spdlog::error("exec: {}", outcome.error().message);
    return kExitUsage;
  }
  std::optional<cgroup::Stats> cgroup_stats;
  if (cgroup->run) {
    cgroup_stats = cgroup->run->stats();
    cgroup->run->remove();
    outcome->oom_killed = cgroup_stats->oom_killed;
  }
  if (outcome->kind == supervisor::Outcome::Kind::kSetupError) {
    spdlog::error("{}", redaction.text(setup_error_message(*outcome)));
  } else if (!request->json) {
    log_run_end(*outcome, policy, *output, global.quiet);
  }

  if (request->json || request->report_fd || !request->report_file.empty()) {
    const auto verdict = build_verdict({policy, *outcome, *output, *layers, cgroup_stats, supervisor::new_run_id(),
                                        request->policy_sha256(), [&redaction](const std::string& s) { return redaction.text(s); }});
    if (auto written = write_verdict(verdict, *request); !written) {
      if (reader_gone(written.error())) return kExitReaderGone;
      spdlog::error("exec: {}", written.error().message);
      return kExitUsage;
    }
  }
  end_process(exit_status(*outcome));
}

}  // namespace sbx::app
