// Plain data the sandbox child executes. The parent builds every byte of it and publishes it in
// the plan arena (plan_arena.h), the prelude first and the rest once the host has been inspected;
// the child only reads it and issues syscalls (no allocation, no logging, no exceptions).
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "base/image_pages.h"
#include "launch/cpu_spread.h"

namespace sbx::launch {

enum class MountOpKind : uint32_t {
  kBind,         // clone of host path `source` (taken before the new root covers anything)
  kTmpfs,        // fresh tmpfs; `data` is its option string ("size=...,mode=...")
  kProc,         // fresh procfs for the new pid namespace
  kDevpts,       // new devpts instance
  kMkdir,        // directory (mode)
  kSymlink,      // symlink at target pointing to `source`
  kWriteFile,    // regular file with contents data[0..data_len) and mode
  kMaskWithNull, // /dev/null bound over target (hides a sensitive file)
  kMakeReadOnly, // target becomes a read-only mount (bound onto itself first when needed)
  // Read-only bind of `source`, a file an earlier step wrote into the root under construction,
  // onto target. Cloned when applied, so the source must not be covered by then (it may be
  // later: the generated /etc files placed over a language tree's are hidden under /tmp).
  kBindFromRoot,
};

struct MountOp {
  MountOpKind kind;
  const char* source;  // host path (kBind), link text (kSymlink)
  const char* target;  // absolute path inside the sandbox
  const char* data;
  size_t data_len;
  uint32_t mode;
  bool read_only;   // kBind / kTmpfs: mount read-only (recursively for binds)
  bool target_is_dir;
  bool optional;    // a missing source is skipped rather than an error (host /lib32 etc.)
  // kBind only: `source` was named by the caller, so no component may be a symlink when the
  // child opens it (it was canonicalized in the parent; a swap since then fails closed).
  bool source_untrusted;
  bool allow_devices;  // kBind of a device node: the clone keeps device access (no MOUNT_ATTR_NODEV)
};

enum class LandlockRuleKind : uint32_t { kPathBeneath, kNetPort };

struct LandlockRule {
  const char* path;  // inside the sandbox, opened after pivot_root
  uint64_t access;   // LANDLOCK_ACCESS_FS_* allowed beneath path
};

struct LandlockPlan {
  int ruleset_fd;  // -1: Landlock not applied (best-effort skip already decided in the parent)
  const LandlockRule* rules;
  size_t rule_count;
};

struct RlimitSetting {
  const char* name;  // "nofile", for error reports
  int resource;
  uint64_t soft;
  uint64_t hard;
};

struct IdentityPlan {
  uid_t uid;  // inside the user namespace
  gid_t gid;
  bool clear_groups;  // setgroups(0) is only possible when the parent did not write "deny"
};

// A run of mount operations, with the scratch their bind sources are cloned into.
struct MountList {
  const MountOp* ops;
  size_t count;
  int* fds;  // `count` entries of scratch the child fills in
};

// What the child does before the parent has looked at the host: take its identity and build the
// part of the root that needs next to nothing of the host (mounts::plan_prelude). It arrives right after the
// id maps are written, while the parent is still working out the rest (ChildPlan).
struct PreludePlan {
  IdentityPlan identity;
  MountList mounts;
  // The directory on the host side of the new mount namespace where the root tmpfs is built
  // before pivot_root ("/tmp"); the child covers it only inside its own namespace.
  const char* staging_dir;
  const char* root_tmpfs_options;
  // The staging directory holds none of the rest's bind sources and lies inside none of them
  // (mounts::early_staging_dir), so the root is built on it at once. Otherwise the child waits
  // for the rest and clones its sources before covering anything.
  bool build_now;
};

// The descriptors in a ChildPlan (stdout_fd, stderr_fd, landlock.ruleset_fd) are the parent's.
// The child is cloned before they exist: they travel with the go message (SCM_RIGHTS), and the
// plan published for the child holds each one's index in that message instead (-1: none).
struct ChildPlan {
  int report_fd;  // SOCK_SEQPACKET to the parent: ChildReport / ProgramExit messages

  // Become the sandbox's fds 1 and 2 (pipes to the supervisor); -1 keeps the caller's.
  int stdout_fd;
  int stderr_fd;

  MountList mounts;  // the rest of the root (mounts::plan_rest), applied after the prelude's

  const char* hostname;

  const RlimitSetting* rlimits;
  size_t rlimit_count;

  int last_cap;  // highest capability number the kernel knows (from libcap in the parent)

  LandlockPlan landlock;

  // Installed last, by the sandbox init before it forks the program. len == 0: none.
  sock_fprog seccomp;

  const char* workdir;
  const char* const* argv;  // null-terminated
  const char* const* envp;  // null-terminated
  const char* path_env;     // PATH used to find argv[0] when it has no slash

};

// What the child has at clone time, before its plan exists.
struct ChildStart {
  int report_fd;
  // Namespaces the child creates itself with unshare, on its own CPU while the parent is still
  // working out the plan.
  int unshare_flags;
  // The network namespace comes from the network helper instead (netns_helper.h), over
  // report_fd; the child joins it after building its root.
  bool join_network;
  const PreludePlan* prelude;  // in shared memory; valid once the prelude message has arrived
  const ChildPlan* plan;        // in shared memory; valid once the go message has arrived
  // The whole arena the two live in, which init unmaps once the program has started.
  const void* plan_mapping;
  size_t plan_mapping_size;
  ImagePages image_pages;    // sbx's code, which init lets go of once the program has started
  CpuSpread cpus;            // the caller's CPU affinity, restored once the plan has arrived
};

}  // namespace sbx::launch
