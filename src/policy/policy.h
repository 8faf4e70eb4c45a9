// The validated description of one sandbox. Built from command-line flags today; a YAML policy
// file maps onto the same struct. Everything the engine does is decided from this value.
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

enum class NetworkMode { kNone, kHost };

struct BindMount {
  std::string source;  // absolute, canonical host path (symlinks resolved when validated)
  std::string target;  // absolute, normalized path inside the sandbox
  bool read_only = false;
  std::string origin;  // the flag that asked for it, for error messages: "-v ./data:/data:ro"
};

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
  // prebuilt tree whose top-level entries become the sandbox's root.
  std::string rootfs = "host";

  uid_t uid = 1000;
  gid_t gid = 1000;
  std::string user_name = "sandbox";
  std::string hostname = "sbx";

  // The caller's current directory appears at /workspace (read-only unless workspace_writable)
  // and is the default working directory.
  std::string workspace_source;  // canonical host path, empty when none is mounted
  bool workspace_writable = false;
  std::string workdir = "/workspace";

  // Without read_only, /tmp and /dev/shm are writable tmpfs mounts. With it nothing is writable
  // except what binds and --tmpfs ask for.
  bool read_only = false;
  uint64_t tmp_size_bytes = 256ull << 20;

  std::vector<BindMount> binds;
  std::vector<TmpfsMount> tmpfs;
  std::vector<EnvVar> env;  // names unique, in the order given
  NetworkMode network = NetworkMode::kNone;
  std::vector<Rlimit> rlimits;  // one entry per resource

  Enforcement landlock = Enforcement::kRequired;
  Enforcement seccomp = Enforcement::kRequired;

  Limits limits;
  std::vector<Secret> secrets;  // names unique
};

}  // namespace sbx::policy
