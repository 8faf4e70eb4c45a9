// The validated description of one sandbox. A YAML policy file (src/policy/load.h) and the
// command-line flags both write into this struct. Everything the engine does is decided from it.
//
// A few fields are declarative and resolved against the caller just before a run (cli
// resolve_for_run): mount_workspace becomes workspace_source, env_pass and the secrets' pass
// and redact_env lists become values. Serializing (src/policy/serialize.h) writes the declarative
// fields, never resolved values, so a policy prints the same wherever it is shown.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sbx::policy {

// Whether a security layer that cannot be applied stops the run (kRequired, the default:
// fail closed) or is skipped and reported (kBestEffort).
enum class Enforcement { kRequired, kBestEffort };

// kNone: a network namespace of the sandbox's own with only loopback up, and TCP bind and connect
// denied as well (Landlock, ABI 4+). kLoopback: the same namespace with TCP allowed, so a server
// and its client inside the sandbox can talk; nothing outside it is reachable either way.
// kHost: the caller's network namespace (policy/network_mode.h has the names).
enum class NetworkMode { kNone, kLoopback, kHost };

// Mounts a policy file adds without a size, and --tmpfs without size=.
inline constexpr uint64_t kDefaultTmpfsSize = 64ull << 20;
inline constexpr const char* kDefaultUserName = "sandbox";
inline constexpr const char* kDefaultWorkdir = "/workspace";

// The group that goes with a user id when only the uid is given: root's and nobody's own, as the
// sandbox's /etc/passwd lists them (and as `docker run --user 0` gives), else the sandbox
// user's 1000. A gid that was this pair of the old uid follows a new uid; any other stays.
constexpr gid_t paired_gid(uid_t uid) { return uid == 0 ? 0 : uid == 65534 ? 65534 : 1000; }

struct BindMount {
  std::string source;  // absolute, canonical host path (symlinks resolved when validated)
  std::string target;  // absolute, normalized path inside the sandbox
  bool read_only = false;
  std::string origin;  // the flag that asked for it, for error messages: "-v ./data:/data:ro"
};

// The smallest tmpfs a policy or flag may ask for: one page (the kernel rounds up to pages).
inline constexpr uint64_t kMinTmpfsBytes = 4096;

struct TmpfsMount {
  std::string target;
  uint64_t size_bytes = 0;
  std::string origin;
};

struct Rlimit {
  int resource = 0;   // RLIMIT_*
  uint64_t soft = 0;  // RLIM_INFINITY for unlimited
  uint64_t hard = 0;
};

struct EnvVar {
  std::string name;
  std::string value;
};

// What the supervisor does when a stream exceeds its output limit: keep its head and tail and
// drop the middle (kTruncate), or end the run (kKill).
enum class OutputLimitAction { kTruncate, kKill };

// Bounds the supervisor enforces from outside the sandbox.
struct Limits {
  std::optional<std::chrono::nanoseconds> timeout;  // wall clock; none = no limit
  std::chrono::nanoseconds kill_after = std::chrono::seconds(5);  // SIGTERM -> SIGKILL grace
  std::optional<uint64_t> cpu_seconds;  // RLIMIT_CPU for the program
  uint64_t output_limit_bytes = 16ull << 20;  // per stream
  OutputLimitAction on_output_limit = OutputLimitAction::kTruncate;

  // cgroup v2 limits for the whole sandbox. Without a usable cgroup, kRequired refuses to run
  // and kBestEffort falls back to rlimits where one exists (and says so in the verdict).
  std::optional<uint64_t> memory_bytes;
  std::optional<uint64_t> pids;
  std::optional<double> cpus;
  Enforcement cgroup = Enforcement::kRequired;
  std::optional<std::string> cgroup_parent;  // --cgroup-parent: where run cgroups are created
};

// What a syscall the seccomp filter refuses gets: EPERM, death of the process, or a log line.
enum class SeccompDenyAction { kErrno, kKill, kLog };

// Changes to sbx's default seccomp deny-list. All empty: the default filter.
struct SeccompRules {
  SeccompDenyAction deny_action = SeccompDenyAction::kErrno;
  std::vector<std::string> deny;   // syscall names refused whatever their arguments
  std::vector<std::string> allow;  // names taken off the default always-denied list
  std::vector<uint64_t> deny_ioctls;         // ioctl request numbers refused
  std::vector<int> deny_socket_families;     // AF_* refused for socket() and socketpair()

  bool operator==(const SeccompRules&) const = default;
};

// A value redacted from everything the program prints, as [REDACTED:name]. With `inject`, it is
// also passed into the sandbox as the environment variable `name`.
struct Secret {
  std::string name;
  std::string value;
  bool inject = false;
};

struct Policy {
  std::vector<std::string> argv;

  // "host": the host's /usr, /bin, /lib* with a generated /etc. Otherwise the absolute path of a
  // prebuilt tree whose top-level entries become the sandbox's root; a policy may also name a
  // built tree, which cli::parse_exec turns into its path before anything runs.
  std::string rootfs = "host";

  uid_t uid = 1000;
  gid_t gid = 1000;
  std::string user_name = kDefaultUserName;
  std::string hostname = "sbx";

  // The caller's current directory appears at /workspace (read-only unless workspace_writable)
  // and is the default working directory.
  bool mount_workspace = true;   // declarative: resolved into workspace_source for a run
  std::string workspace_source;  // canonical host path, empty when none is mounted
  bool workspace_writable = false;
  std::string workdir = kDefaultWorkdir;

  // Without read_only, /tmp and /dev/shm are writable tmpfs mounts. With it nothing is writable
  // except what binds and --tmpfs ask for.
  bool read_only = false;
  uint64_t tmp_size_bytes = 256ull << 20;

  std::vector<BindMount> binds;
  std::vector<TmpfsMount> tmpfs;
  std::vector<EnvVar> env;  // names unique, in the order given
  // Names whose value is copied from the caller's environment at run time (when set there).
  // Never also in `env`: whichever was given last wins.
  std::vector<std::string> env_pass;
  NetworkMode network = NetworkMode::kNone;
  std::vector<Rlimit> rlimits;  // one entry per resource

  Enforcement landlock = Enforcement::kRequired;
  Enforcement seccomp = Enforcement::kRequired;
  SeccompRules seccomp_rules;

  Limits limits;
  std::vector<Secret> secrets;  // names unique
  // Declarative secrets from a policy, looked up in the caller's environment at run time:
  // `secrets_pass` like --secret NAME (passed in and redacted), `redact_env` only redacted.
  std::vector<std::string> secrets_pass;
  std::vector<std::string> redact_env;

  // Which policy this is ("default" for the built-in one, else the file's name without .yaml).
  // Not part of the policy's content: it is left out of its serialized form and hash.
  std::string name = "default";
};

}  // namespace sbx::policy
