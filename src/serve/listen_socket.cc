#include "serve/listen_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "base/units.h"

namespace sbx::serve {

Result<std::vector<UniqueFd>> take_listen_fds() {
  std::vector<UniqueFd> fds;
  const char* pid_text = std::getenv("LISTEN_PID");
  const char* count_text = std::getenv("LISTEN_FDS");
  const bool for_us = pid_text != nullptr && count_text != nullptr;
  uint64_t count = 0;
  if (for_us) {
    auto pid = parse_uint(pid_text);
    auto n = parse_uint(count_text);
    if (!pid || !n) return make_error("LISTEN_PID/LISTEN_FDS are not numbers");
    if (static_cast<pid_t>(*pid) == ::getpid()) count = *n;
  }
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (count > 64) return make_error("LISTEN_FDS=" + std::to_string(count) + " is implausible");
  for (uint64_t i = 0; i < count; ++i) {
    const int fd = kListenFdsStart + static_cast<int>(i);
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) return errno_error("socket activation: descriptor " + std::to_string(fd));
    // systemd passes the socket as it was made, usually blocking; the accept loop drains
    // until EAGAIN, which a blocking socket never returns.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
      return errno_error("socket activation: descriptor " + std::to_string(fd));
    }
    fds.emplace_back(fd);
  }
  return fds;
}

Status check_listening_unix_socket(int fd) {
  int type = 0;
  int listening = 0;
  socklen_t len = sizeof(type);
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return errno_error("not a socket");
  len = sizeof(listening);
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0) return errno_error("getsockopt");
  sockaddr_storage addr{};
  socklen_t addr_len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) return errno_error("getsockname");
  if (type != SOCK_STREAM || !listening || addr.ss_family != AF_UNIX) {
    return make_error("expected a listening unix stream socket (ListenStream=/path with Accept=no)");
  }
  return {};
}

Result<UniqueFd> listen_unix(const std::string& path, mode_t mode) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return make_error("socket path must be 1 to " + std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return errno_error("socket");
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return make_error(path + " exists and is not a socket");
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
      return make_error(path + ": another service is already listening there");
    }
    ::unlink(path.c_str());
  }
  // Bound with no access for anyone, then opened up: no window where the mode is wider.
  const mode_t old_umask = ::umask(0777);
  const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  ::umask(old_umask);
  if (bound != 0) return errno_error("bind " + path);
  if (::chmod(path.c_str(), mode) != 0) return errno_error("chmod " + path);
  if (::listen(fd.get(), 128) != 0) return errno_error("listen " + path);
  return fd;
}

FileIdentity file_identity(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

void unlink_if_same(const std::string& path, FileIdentity identity) {
  const FileIdentity now = file_identity(path);
  if (identity.ino != 0 && now.dev == identity.dev && now.ino == identity.ino) ::unlink(path.c_str());
}

}  // namespace sbx::serve
