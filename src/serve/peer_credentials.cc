#include "serve/peer_credentials.h"

#include <sys/socket.h>

namespace sbx::serve {

Result<PeerCredentials> peer_credentials(int socket_fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return errno_error("SO_PEERCRED");
  PeerCredentials peer;
  peer.pid = cred.pid;
  peer.uid = cred.uid;
  peer.gid = cred.gid;
  // SO_PEERGROUPS: the supplementary groups the peer had at connect(), as the kernel saw them.
  std::vector<gid_t> groups(64);
  socklen_t groups_len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &groups_len) == 0) {
    groups.resize(groups_len / sizeof(gid_t));
    peer.groups = std::move(groups);
    return peer;
  }
  if (errno == ERANGE) {
    groups.resize(groups_len / sizeof(gid_t) + 1);
    groups_len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &groups_len) == 0) {
      groups.resize(groups_len / sizeof(gid_t));
      peer.groups = std::move(groups);
    }
  }
  return peer;
}

}  // namespace sbx::serve
