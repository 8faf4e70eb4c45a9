// A policy that sets every key of the schema to a non-default value, one key per line, shared
// by the policy unit tests. Line i (1-based) of kFullPolicy is kFullPolicy[i - 1].
#pragma once

#include <string>
#include <vector>

namespace sbx::policy::testing {

inline const std::vector<std::string> kFullPolicyLines = {
    "rootfs: host",                    // 1
    "identity:",                       // 2
    "  uid: 1001",                     // 3
    "  gid: 1002",                     // 4
    "  user: builder",                 // 5
    "  hostname: box",                 // 6
    "workspace:",                      // 7
    "  mount: false",                  // 8
    "  writable: true",                // 9
    "  workdir: /work",                // 10
    "filesystem:",                     // 11
    "  read_only: true",               // 12
    "  tmp_size: 128m",                // 13
    "  mounts:",                       // 14
    "    - source: /srv/data",         // 15
    "      target: /data",             // 16
    "      read_only: false",          // 17
    "  tmpfs:",                        // 18
    "    - target: /cache",            // 19
    "      size: 32m",                 // 20
    "environment:",                    // 21
    "  pass: [TERM, COLORTERM]",       // 22
    "  set:",                          // 23
    "    PATH: /usr/bin:/bin",         // 24
    "    HOME: /tmp",                  // 25
    "network: host",                   // 26
    "rlimits:",                        // 27
    "  nofile: 512",                   // 28
    "  fsize: 16m",                    // 29
    "  nproc: \"256:512\"",            // 30
    "landlock:",                       // 31
    "  enforcement: best-effort",      // 32
    "seccomp:",                        // 33
    "  enforcement: best-effort",      // 34
    "  deny_action: kill",             // 35
    "  deny: [chmod]",                 // 36
    "  allow: [ptrace]",               // 37
    "  deny_ioctls: [TIOCSETD]",       // 38
    "  deny_socket_families: [AF_INET6]",  // 39
    "limits:",                         // 40
    "  timeout: 10s",                  // 41
    "  kill_after: 2s",                // 42
    "  cpu_time: 30s",                 // 43
    "  output: 1m",                    // 44
    "  on_output_limit: kill",         // 45
    "  memory: 512m",                  // 46
    "  pids: 128",                     // 47
    "  cpus: 1.5",                     // 48
    "  cgroup: best-effort",           // 49
    "  cgroup_parent: /sys/fs/cgroup/sbx",  // 50
    "secrets:",                        // 51
    "  pass: [API_TOKEN]",             // 52
    "  redact_env: [DB_PASSWORD]",     // 53
};

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

inline std::string full_policy() { return join_lines(kFullPolicyLines); }

}  // namespace sbx::policy::testing
