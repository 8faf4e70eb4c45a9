#include "launch/spawn.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "launch/child.h"
#include "launch/netns_helper.h"
#include "launch/sync.h"
#include "sys/fd_passing.h"
#include "sys/raw_syscalls.h"

namespace sbx::launch {
namespace {

constexpr uid_t kOverflowId = 65534;

Status write_proc_file(pid_t pid, const char* name, const std::string& contents) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + path);
  if (::write(fd.get(), contents.data(), contents.size()) != static_cast<ssize_t>(contents.size())) {
    return errno_error("write " + path + " \"" + contents.substr(0, contents.size() - 1) + "\"");
  }
  return {};
}

Status write_id_maps(pid_t pid, const IdMapping& ids) {
  if (ids.deny_setgroups) SBX_RETURN_IF_ERROR(write_proc_file(pid, "setgroups", "deny\n"));
  SBX_RETURN_IF_ERROR(write_proc_file(
      pid, "uid_map", std::to_string(ids.inside_uid) + " " + std::to_string(ids.outside_uid) + " 1\n"));
  SBX_RETURN_IF_ERROR(write_proc_file(
      pid, "gid_map", std::to_string(ids.inside_gid) + " " + std::to_string(ids.outside_gid) + " 1\n"));
  return {};
}

}  // namespace

IdMapping choose_id_mapping(uid_t inside_uid, gid_t inside_gid, uid_t euid, gid_t egid) {
  if (euid == 0) return {inside_uid, kOverflowId, inside_gid, kOverflowId, /*deny_setgroups=*/false};
  return {inside_uid, euid, inside_gid, egid, /*deny_setgroups=*/true};
}

Result<int> Sandbox::reap() {
  SBX_ASSIGN_OR_RETURN(const siginfo_t info, init_.reap("sandbox init"));
  return wait_status_of(info);
}

Result<PendingSandbox> start_sandbox(const SandboxStart& start, const IdMapping& ids) {
  SBX_ASSIGN_OR_RETURN(PlanArena arena, PlanArena::create());
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return errno_error("socketpair");
  }
  UniqueFd parent_end(pair[0]);
  UniqueFd child_end(pair[1]);
  ChildStart child_start{};
  child_start.report_fd = child_end.get();
  child_start.unshare_flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
  child_start.join_network = start.unshare_network;
  child_start.prelude = arena.prelude_slot();
  child_start.plan = arena.plan_slot();
  child_start.plan_mapping = arena.prelude_slot();
  child_start.plan_mapping_size = PlanArena::kCapacity;
  child_start.image_pages = ImagePages::of_this_executable();
  child_start.cpus = CpuSpread::of_caller();

  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_PIDFD;
  if (start.cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(start.cgroup_fd);
  }
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;

  const long pid = sys::clone3(&args);
  if (pid < 0) return errno_error("clone3 (new user and pid namespaces)");
  if (pid == 0) child_main(child_start);

  child_start.cpus.move_off_this_cpu(static_cast<pid_t>(pid));
  Sandbox sandbox(static_cast<pid_t>(pid), UniqueFd(pidfd), std::move(parent_end));
  child_end.reset();
  if (auto status = write_id_maps(static_cast<pid_t>(pid), ids); !status) {
    return std::move(status).error().context("user namespace id maps");
  }
  return PendingSandbox(std::move(sandbox), std::move(arena), start);
}

Status PendingSandbox::send_prelude(Prelude& prelude) {
  if (prelude_sent_) return make_error("internal: the sandbox's prelude was already sent");
  SBX_RETURN_IF_ERROR(arena_.publish_prelude(prelude.view()));
  Message m{};
  m.kind = MessageKind::kPrelude;
  prelude_sent_ = true;
  if (::send(sandbox_.report_fd(), &m, sizeof(m), MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof(m))) {
    // The child already failed (unshare) and left: release() finds it gone too, and its report
    // is queued for the supervisor.
    if (errno != EPIPE && errno != ECONNRESET) return errno_error("send the sandbox child its prelude");
  }
  return {};
}

Result<Sandbox> PendingSandbox::release(LaunchPlan& plan) && {
  if (plan.unshare_network() != unshare_network_) {
    return make_error("internal: the plan's network namespace differs from the one the sandbox was started with");
  }
  if (!prelude_sent_) return make_error("internal: the sandbox was released before its prelude was sent");
  // The child receives the descriptors in this order; the published plan names their indices.
  ChildPlan view = plan.child_plan();
  int fds[3];
  int count = 0;
  auto pass = [&](int fd) {
    if (fd < 0) return -1;
    fds[count] = fd;
    return count++;
  };
  view.stdout_fd = pass(view.stdout_fd);
  view.stderr_fd = pass(view.stderr_fd);
  view.landlock.ruleset_fd = pass(view.landlock.ruleset_fd);
  view.report_fd = -1;
  SBX_RETURN_IF_ERROR(arena_.publish(view));

  Message go{};
  go.kind = MessageKind::kGo;
  if (sys::send_with_fds(sandbox_.report_fd(), &go, sizeof(go), fds, count) != static_cast<ssize_t>(sizeof(go))) {
    // The child already failed (unshare) and left: its report is queued for the supervisor.
    if (errno != EPIPE && errno != ECONNRESET) return errno_error("release the sandbox child");
    return std::move(sandbox_);
  }
  // The child's mapping keeps the published plan alive; this process is done with it.
  { PlanArena done = std::move(arena_); }
  if (unshare_network_) {
    // Started only now: cloning it earlier would delay the plan, and this CPU is idle from here
    // on while the child builds its root on the other. It is reaped before the program can
    // start, because the child waits for its namespace first.
    SBX_ASSIGN_OR_RETURN(NetnsHelper netns, NetnsHelper::start(sandbox_.pidfd(), sandbox_.report_fd(), cgroup_fd_));
    SBX_RETURN_IF_ERROR(netns.wait());
  }
  return std::move(sandbox_);
}

}  // namespace sbx::launch
