// The network: the runner's listeners on the host's loopback, raw access, and route changes.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "selftest/attack_util.h"

namespace sbx::selftest {
namespace {

Report connect_to(int family, const sockaddr* addr, socklen_t len, const std::string& what) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return blocked("socket: " + errno_text());
  const int r = ::connect(fd, addr, len);
  const int saved = errno;
  ::close(fd);
  return r == 0 ? escaped("connected to " + what) : blocked("connect " + what + ": " + errno_text(saved));
}

Report tcp_loopback(const AttackContext& c) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(c.targets.tcp_port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect_to(AF_INET, reinterpret_cast<sockaddr*>(&a), sizeof a,
                    "the host's 127.0.0.1:" + std::to_string(c.targets.tcp_port));
}

Report tcp6_loopback(const AttackContext& c) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(static_cast<uint16_t>(c.targets.tcp6_port));
  a.sin6_addr = in6addr_loopback;
  return connect_to(AF_INET6, reinterpret_cast<sockaddr*>(&a), sizeof a,
                    "the host's [::1]:" + std::to_string(c.targets.tcp6_port));
}

Report udp_send(const AttackContext& c, const std::string& payload, const std::string& what) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return blocked("socket: " + errno_text());
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(c.targets.udp_port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Sent several times: UDP gives no answer, the runner counts what arrives.
  ssize_t r = -1;
  for (int i = 0; i < 3; ++i) r = ::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  const int saved = errno;
  ::close(fd);
  return blocked(what + (r < 0 ? ": " + errno_text(saved) : " sent; the runner checks whether it arrived"));
}

Report udp_loopback(const AttackContext& c) { return udp_send(c, "sbx-selftest", "UDP datagram"); }

Report dns_query(const AttackContext& c) {
  // A query for example.com to the runner's loopback "resolver".
  static const unsigned char kQuery[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm',
                                         'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
  return udp_send(c, std::string(reinterpret_cast<const char*>(kQuery), sizeof kQuery), "DNS query");
}

Report abstract_unix(const AttackContext& c) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path + 1, c.targets.abstract_socket.data(), c.targets.abstract_socket.size());
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + c.targets.abstract_socket.size());
  return connect_to(AF_UNIX, reinterpret_cast<sockaddr*>(&a), len, "the host's abstract socket @" + c.targets.abstract_socket);
}

Report unix_path(const AttackContext& c) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, c.targets.unix_socket.c_str(), sizeof a.sun_path - 1);
  return connect_to(AF_UNIX, reinterpret_cast<sockaddr*>(&a), sizeof a, "the host's socket " + c.targets.unix_socket);
}

Report open_socket(int family, int type, int protocol, const std::string& what) {
  const int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return blocked(what + ": " + errno_text());
  ::close(fd);
  return escaped("opened a " + what);
}

// The controls take CAP_NET_RAW the way a sandbox could hand it out: in namespaces of their own.
Report raw_icmp(const AttackContext& c) {
  if (c.control && ::geteuid() != 0 && !enter_own_namespaces(CLONE_NEWNET)) return blocked("control: " + errno_text());
  return open_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP, "raw ICMP socket");
}
Report af_packet(const AttackContext& c) {
  if (c.control && ::geteuid() != 0 && !enter_own_namespaces(CLONE_NEWNET)) return blocked("control: " + errno_text());
  return open_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "AF_PACKET socket");
}

Report netlink_route_change(const AttackContext& c) {
  if (c.control && !enter_own_namespaces(CLONE_NEWNET)) return blocked("control: namespaces: " + errno_text());
  const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return blocked("netlink socket: " + errno_text());
  // RTM_NEWADDR 10.213.0.1/32 on lo, acknowledged.
  struct {
    nlmsghdr nh;
    ifaddrmsg ifa;
    rtattr rta;
    in_addr addr;
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = RTM_NEWADDR;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  req.nh.nlmsg_seq = 1;
  req.ifa.ifa_family = AF_INET;
  req.ifa.ifa_prefixlen = 32;
  req.ifa.ifa_index = ::if_nametoindex("lo");
  req.rta.rta_type = IFA_LOCAL;
  req.rta.rta_len = RTA_LENGTH(sizeof(in_addr));
  req.addr.s_addr = htonl(0x0ad50001);
  if (::send(fd, &req, sizeof req, 0) < 0) {
    const int saved = errno;
    ::close(fd);
    return blocked("netlink send: " + errno_text(saved));
  }
  char buf[512];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr))) return blocked("no netlink answer");
  const auto* err = reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(reinterpret_cast<const nlmsghdr*>(buf)));
  if (err->error != 0) return blocked("RTM_NEWADDR: " + errno_text(-err->error));
  return escaped("added an address to lo over netlink");
}

constexpr std::array kAttacks = {
    Attack{"net.tcp-loopback", "network", "connect to a TCP listener on the host's 127.0.0.1", tcp_loopback,
           HostCheck::kListeners},
    Attack{"net.tcp6-loopback", "network", "connect to a TCP listener on the host's ::1", tcp6_loopback,
           HostCheck::kListeners},
    Attack{"net.udp-loopback", "network", "send a datagram to the host's 127.0.0.1", udp_loopback,
           HostCheck::kListeners},
    Attack{"net.dns", "network", "send a DNS query to a resolver on the host's loopback", dns_query,
           HostCheck::kListeners},
    Attack{"net.abstract-unix", "network", "connect to a host abstract unix socket", abstract_unix,
           HostCheck::kListeners},
    Attack{"net.unix-path", "network", "connect to a host unix socket by path", unix_path, HostCheck::kListeners},
    Attack{"net.raw-icmp", "network", "open a raw ICMP socket", raw_icmp},
    Attack{"net.af-packet", "network", "open an AF_PACKET socket", af_packet},
    Attack{"net.netlink-route", "network", "change addresses or routes over netlink", netlink_route_change},
};

}  // namespace

std::span<const Attack> network_attacks() { return kAttacks; }

}  // namespace sbx::selftest
