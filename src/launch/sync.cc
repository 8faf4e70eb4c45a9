#include "launch/sync.h"

namespace sbx::launch {

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::kNone: return "none";
    case Stage::kSync: return "sync";
    case Stage::kNamespaces: return "namespaces";
    case Stage::kStdio: return "stdio";
    case Stage::kIdentity: return "identity";
    case Stage::kMounts: return "mounts";
    case Stage::kPivot: return "pivot_root";
    case Stage::kHostname: return "hostname";
    case Stage::kNetwork: return "network";
    case Stage::kRlimits: return "rlimits";
    case Stage::kWorkdir: return "workdir";
    case Stage::kCapabilities: return "capabilities";
    case Stage::kNoNewPrivs: return "no_new_privs";
    case Stage::kLandlock: return "landlock";
    case Stage::kSeccomp: return "seccomp";
    case Stage::kFork: return "fork";
    case Stage::kExec: return "exec";
  }
  return "unknown";
}

}  // namespace sbx::launch
