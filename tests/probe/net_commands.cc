// Reaching peers over IPv4, and what this network namespace is: its interfaces, its owner.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "commands.h"
#include "probe_util.h"

namespace sbx::probe {
namespace {

bool parse_ipv4(const char* host, const char* port, sockaddr_in* out) {
  *out = sockaddr_in{};
  out->sin_family = AF_INET;
  char* end = nullptr;
  const long p = std::strtol(port, &end, 10);
  if (*end != '\0' || p <= 0 || p > 65535) return false;
  out->sin_port = htons(static_cast<uint16_t>(p));
  return ::inet_pton(AF_INET, host, &out->sin_addr) == 1;
}

constexpr int kNetTimeoutMs = 2000;

// Binds fd to 127.0.0.1 on a port the kernel picks, which *addr then holds: 0, or the failed
// step's report.
int bind_loopback_any_port(int fd, sockaddr_in* addr) {
  *addr = sockaddr_in{};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(addr), sizeof(*addr)) != 0) return report("bind", errno);
  socklen_t len = sizeof(*addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len) != 0) return report("getsockname", errno);
  return 0;
}

}  // namespace

int cmd_connect_tcp(const char* host, const char* port) {
  sockaddr_in addr{};
  if (!parse_ipv4(host, port, &addr)) return kUsage;
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return report("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) return report("connect", errno);
    if (const int err = wait_ready(fd.get(), POLLOUT, kNetTimeoutMs); err != 0) return report("connect", err);
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) return report("getsockopt", errno);
    if (so_error != 0) return report("connect", so_error);
  }
  return report("connect", 0);
}

// Sends a datagram and waits for an echo. Success needs the reply: a UDP send "succeeds" even
// when nothing listens, so only a round trip proves the peer was reached.
int cmd_send_udp(const char* host, const char* port) {
  sockaddr_in addr{};
  if (!parse_ipv4(host, port, &addr)) return kUsage;
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return report("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return report("connect", errno);
  }
  static constexpr char kMsg[] = "sbx-probe";
  if (::send(fd.get(), kMsg, sizeof(kMsg) - 1, 0) < 0) return report("send", errno);
  if (const int err = wait_ready(fd.get(), POLLIN, kNetTimeoutMs); err != 0) return report("recv", err);
  char buf[64];
  if (::recv(fd.get(), buf, sizeof(buf), 0) < 0) return report("recv", errno);
  return report("udp", 0);
}

// Round trip over loopback inside the sandbox's own network namespace: proves lo is up.
int cmd_udp_self() {
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return report("socket", errno);
  sockaddr_in addr{};
  if (const int err = bind_loopback_any_port(fd.get(), &addr); err != 0) return err;
  if (::sendto(fd.get(), "x", 1, 0, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 1) {
    return report("sendto", errno);
  }
  if (const int err = wait_ready(fd.get(), POLLIN, kNetTimeoutMs); err != 0) return report("recv", err);
  char c = 0;
  if (::recv(fd.get(), &c, 1, 0) != 1) return report("recv", errno);
  return report("udp-self", 0);
}

// A listener on 127.0.0.1 and a connection to it, one byte each way: a server and its client in
// the same sandbox. Each step that fails is named (bind and connect are what Landlock governs).
int cmd_tcp_self() {
  Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return report("socket", errno);
  sockaddr_in addr{};
  if (const int err = bind_loopback_any_port(listener.get(), &addr); err != 0) return err;
  if (::listen(listener.get(), 1) != 0) return report("listen", errno);
  Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!client.valid()) return report("socket", errno);
  if (::connect(client.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return report("connect", errno);
  }
  Fd server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!server.valid()) return report("accept", errno);
  char c = 'x';
  if (::send(client.get(), &c, 1, 0) != 1 || ::recv(server.get(), &c, 1, 0) != 1) return report("send", errno);
  if (::send(server.get(), &c, 1, 0) != 1) return report("send", errno);
  if (const int err = wait_ready(client.get(), POLLIN, kNetTimeoutMs); err != 0) return report("recv", err);
  if (::recv(client.get(), &c, 1, 0) != 1) return report("recv", errno);
  return report("tcp-self", 0);
}

// Network interfaces of this process's network namespace, one per line, from /proc/net/dev.
int cmd_ifaces() {
  std::ifstream dev("/proc/self/net/dev");
  if (!dev) return report("open /proc/self/net/dev", errno);
  std::string line;
  int count = 0;
  while (std::getline(dev, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines have '|' but no ':'
    const size_t start = line.find_first_not_of(' ');
    std::printf("%s\n", line.substr(start, colon - start).c_str());
    ++count;
  }
  return count > 0 ? 0 : ENODATA;
}

// Which user namespace owns this network namespace: "own" when it is this process's (as when
// the sandbox made it), else "other".
int cmd_netns_owner() {
  const int net = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (net < 0) return report("open /proc/self/ns/net", errno);
  const int owner = ::ioctl(net, NS_GET_USERNS);
  const int err = errno;
  ::close(net);
  if (owner < 0) return report("NS_GET_USERNS", err);
  struct stat of_owner {};
  struct stat of_mine {};
  const bool ok = ::fstat(owner, &of_owner) == 0 && ::stat("/proc/self/ns/user", &of_mine) == 0;
  ::close(owner);
  if (!ok) return report("stat", errno);
  const bool own = of_owner.st_dev == of_mine.st_dev && of_owner.st_ino == of_mine.st_ino;
  std::printf("%s\n", own ? "own" : "other");
  return 0;
}

}  // namespace sbx::probe
