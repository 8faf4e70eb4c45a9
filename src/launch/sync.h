// Fixed-size messages between the parent and the sandbox over a SOCK_SEQPACKET pair. Fixed size
// and trivially copyable, so the child can build and send them without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace sbx::launch {

enum class Stage : uint32_t {
  kNone = 0,
  kSync,       // waiting for the parent
  kNamespaces, // unsharing the mount, ipc, uts and cgroup namespaces
  kStdio,      // putting the output pipes in place
  kIdentity,   // setgroups/setresgid/setresuid
  kMounts,     // building the root filesystem
  kPivot,      // pivot_root and detaching the host root
  kHostname,
  kNetwork,    // the network namespace: made, loopback up, joined
  kRlimits,
  kWorkdir,
  kCapabilities,
  kNoNewPrivs,
  kLandlock,
  kSeccomp,
  kFork,       // sandbox init forking the program
  kExec,       // execve of the program
};

const char* stage_name(Stage stage);

enum class MessageKind : uint32_t {
  // parent -> child: the rest of the plan is published; carries its descriptors (SCM_RIGHTS, see
  // ChildPlan).
  kGo = 1,
  kSetupError,    // child -> parent: a stage failed; the child exits
  // init -> parent: the program ended with wait status `status`, and every other process in the
  // sandbox has been killed and reaped; the usage fields cover all of them. Init only tears its
  // namespaces down after this.
  kProgramExit,
  // network helper -> child (netns_helper.h): the sandbox's network namespace with loopback up
  // (one descriptor, SCM_RIGHTS), or, without one, the call that failed in `what`/`sys_errno`.
  kNetns,
  // parent -> child: the id maps are written and the prelude plan is published; no descriptors.
  // Always comes before kGo.
  kPrelude,
};

struct Message {
  MessageKind kind;
  Stage stage;
  int32_t sys_errno;
  int32_t status;
  int64_t user_usec;    // kProgramExit: CPU time of everything that ran in the sandbox
  int64_t system_usec;
  int64_t maxrss_kib;   // kProgramExit: the largest single process's peak RSS
  char what[240];  // NUL-terminated: the path or call that failed
};
static_assert(std::is_trivially_copyable_v<Message>);

// A message saying which call failed at which stage: `what` is cut to fit and always ends in a
// NUL. Allocation-free, for the sandbox child and the network helper.
inline Message failure_message(MessageKind kind, Stage stage, int sys_errno, const char* what) noexcept {
  Message m{};
  m.kind = kind;
  m.stage = stage;
  m.sys_errno = sys_errno;
  size_t i = 0;
  for (; what != nullptr && what[i] != '\0' && i + 1 < sizeof(m.what); ++i) m.what[i] = what[i];
  m.what[i] = '\0';
  return m;
}

}  // namespace sbx::launch
