// Where `sbx serve` gets its listening socket: from systemd (socket activation, Accept=no) or
// bound by hand (--listen PATH).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace sbx::serve {

inline constexpr int kListenFdsStart = 3;

// sd_listen_fds(3), without libsystemd: LISTEN_PID must name this process and LISTEN_FDS
// count descriptors from 3. The variables are removed so no worker inherits them, and the
// descriptors are made close-on-exec and non-blocking. Empty when not socket-activated.
Result<std::vector<UniqueFd>> take_listen_fds();

// Checks that a passed descriptor is a listening unix stream socket.
Status check_listening_unix_socket(int fd);

// A unix stream socket bound at `path` with `mode`, listening. A stale socket file (nobody
// listening) is replaced; anything else at `path` is an error.
Result<UniqueFd> listen_unix(const std::string& path, mode_t mode);

// Removes `path` if it is still the file `identity` was taken from (not one a successor made).
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
};
FileIdentity file_identity(const std::string& path);
void unlink_if_same(const std::string& path, FileIdentity identity);

}  // namespace sbx::serve
