// `sbx exec` flags -> a validated policy::Policy. Every error names the flag and how to fix it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "cli/caller_context.h"
#include "cli/rootfs_choice.h"
#include "policy/policy.h"

namespace sbx::cli {

struct ExecRequest {
  policy::Policy policy;
  int verbosity = 0;  // --verbose given after "exec"
  // The verdict: --json prints it as the only thing on stdout (the program's output captured
  // inside it); --report-fd / --report write it while the output streams normally.
  bool json = false;
  std::optional<int> report_fd;
  std::string report_file;
  // Which policy governed the run, for the verdict: its name ("default" without --policy) and
  // the sha256 of the effective policy's canonical JSON (policy/serialize.h) after the flags,
  // before the caller's values are filled in. `sbx policy show NAME [FLAGS] --json` prints
  // exactly the hashed text. Hashed only when asked: most runs never need it, and every run
  // would wait for it.
  std::string policy_name;
  policy::Policy policy_as_written;
  std::string policy_sha256() const;
  std::string remote;  // --remote SOCKET: an `sbx serve` service does the run
  std::string remote_policy;  // with --remote: the --policy NAME the service is to load
  RootfsChoice rootfs;  // also in policy.rootfs; kept for the -v line and the tree's policy name
  bool workdir_given = false;  // -w: used as given, even where the sandbox has no such directory
};

// --policy (if given) is loaded first; the other flags override it; then the policy is
// resolved against the caller (exec_resolve.h).
Result<ExecRequest> parse_exec(std::span<const std::string> args, const CallerContext& caller);

// For `sbx policy show NAME [FLAGS]`: `base` with exec flags applied, unresolved. A command
// among the arguments is an error.
Result<policy::Policy> apply_exec_flags(policy::Policy base, std::span<const std::string> args,
                                        const CallerContext& caller);

std::string exec_help();

}  // namespace sbx::cli
