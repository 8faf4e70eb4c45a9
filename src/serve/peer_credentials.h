// Who is on the other end of a unix socket: SO_PEERCRED and SO_PEERGROUPS, filled in by the
// kernel at connect(), so they cannot be forged.
#pragma once

#include <sys/types.h>

#include <vector>

#include "base/result.h"

namespace sbx::serve {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, for group rules
};

Result<PeerCredentials> peer_credentials(int socket_fd);

}  // namespace sbx::serve
