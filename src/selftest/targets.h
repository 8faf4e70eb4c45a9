// What the attacks aim at: things the runner makes on the host, outside any sandbox, and passes
// to each attack as one JSON argument.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx::selftest {

struct Targets {
  std::string canary_dir;   // a host directory the sandbox must not see
  std::string canary_file;  // canary_dir/secret
  std::string canary_text;  // its contents: random, so reading it cannot be a coincidence
  std::string workspace;    // the attack's writable directory: /workspace inside, cwd for controls
  std::string sbx_binary;   // the host path of the sbx executable under test
  pid_t canary_pid = -1;    // a host process the attack must not see, signal or trace
  int tcp_port = 0;         // loopback listeners of the runner, in the host's network namespace
  int tcp6_port = 0;
  int udp_port = 0;
  std::string abstract_socket;  // a listening abstract unix socket name (without the NUL)
  std::string unix_socket;      // a listening unix socket path in canary_dir
  std::string env_canary;       // the value of SBX_SELFTEST_ENV_CANARY in the caller's environment
  std::string hostname;         // the host's
  std::string machine_id;       // the host's /etc/machine-id, if readable
  int leaked_fd = -1;           // a directory fd on canary_dir the runner leaves open across exec
};

std::string targets_to_json(const Targets& t);
Result<Targets> targets_from_json(std::string_view text);

inline constexpr const char* kEnvCanaryName = "SBX_SELFTEST_ENV_CANARY";

}  // namespace sbx::selftest
