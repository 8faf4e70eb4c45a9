// One message with descriptors attached (SCM_RIGHTS) over a unix socket, each way. Header-only,
// allocation-free and noexcept: the sandbox child and the network namespace helper use it
// between clone and execve.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sbx::sys {

// The most descriptors one message of sbx carries (a standby worker's job: 0-4).
inline constexpr int kMaxPassedFds = 5;

// One sendmsg of `len` bytes with `count` descriptors, never raising SIGPIPE. -1 with errno
// EINVAL for more than kMaxPassedFds.
inline ssize_t send_with_fds(int socket_fd, const void* data, size_t len, const int* fds, int count,
                             int flags = 0) noexcept {
  if (count < 0 || count > kMaxPassedFds) {
    errno = EINVAL;
    return -1;
  }
  iovec iov{const_cast<void*>(data), len};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (count > 0) {
    const size_t bytes = sizeof(int) * static_cast<size_t>(count);
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(bytes);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(bytes);
    std::memcpy(CMSG_DATA(c), fds, bytes);
  }
  return ::sendmsg(socket_fd, &msg, flags | MSG_NOSIGNAL);
}

struct ReceivedMessage {
  ssize_t bytes = -1;  // -1: recvmsg failed (errno); 0: end of stream
  int fd_count = 0;    // descriptors stored
  int msg_flags = 0;   // MSG_TRUNC, MSG_CTRUNC
};

// One recvmsg into `buf`, retried on EINTR. Attached descriptors arrive close-on-exec; the first
// `max_fds` are stored in `fds`, any further ones closed.
inline ReceivedMessage receive_with_fds(int socket_fd, void* buf, size_t len, int* fds, int max_fds) noexcept {
  iovec iov{buf, len};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ReceivedMessage r;
  do {
    r.bytes = ::recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
  } while (r.bytes < 0 && errno == EINTR);
  if (r.bytes < 0) return r;
  r.msg_flags = msg.msg_flags;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t in_this = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < in_this; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + sizeof(int) * i, sizeof(int));
      if (r.fd_count < max_fds) {
        fds[r.fd_count++] = fd;
      } else {
        ::close(fd);
      }
    }
  }
  return r;
}

}  // namespace sbx::sys
