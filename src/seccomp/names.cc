#include "seccomp/names.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>

#include <array>
#include <utility>

namespace sbx::seccomp {
namespace {

// The first name of a number is the one shown.
constexpr std::array<std::pair<std::string_view, uint64_t>, 26> kIoctls{{
    {"TIOCSTI", TIOCSTI},       {"TIOCLINUX", TIOCLINUX},   {"TIOCCONS", TIOCCONS},
    {"TIOCSCTTY", TIOCSCTTY},   {"TIOCNOTTY", TIOCNOTTY},   {"TIOCSETD", TIOCSETD},
    {"TIOCGETD", TIOCGETD},     {"TIOCSPGRP", TIOCSPGRP},   {"TIOCGPGRP", TIOCGPGRP},
    {"TIOCSWINSZ", TIOCSWINSZ}, {"TIOCGWINSZ", TIOCGWINSZ}, {"TIOCEXCL", TIOCEXCL},
    {"TIOCNXCL", TIOCNXCL},     {"TIOCSSERIAL", TIOCSSERIAL}, {"TIOCMSET", TIOCMSET},
    {"TCGETS", TCGETS},         {"TCSETS", TCSETS},         {"TCSETSW", TCSETSW},
    {"TCSETSF", TCSETSF},       {"TCFLSH", TCFLSH},         {"FIONREAD", FIONREAD},
    {"FIONBIO", FIONBIO},       {"FIOASYNC", FIOASYNC},     {"FIOCLEX", FIOCLEX},
    {"FIONCLEX", FIONCLEX},     {"SIOCGIFCONF", SIOCGIFCONF},
}};

constexpr std::array<std::pair<std::string_view, int>, 34> kFamilies{{
    {"AF_UNIX", AF_UNIX},         {"AF_LOCAL", AF_LOCAL},       {"AF_INET", AF_INET},
    {"AF_INET6", AF_INET6},       {"AF_NETLINK", AF_NETLINK},   {"AF_PACKET", AF_PACKET},
    {"AF_VSOCK", AF_VSOCK},       {"AF_BLUETOOTH", AF_BLUETOOTH}, {"AF_ALG", AF_ALG},
    {"AF_KEY", AF_KEY},           {"AF_X25", AF_X25},           {"AF_AX25", AF_AX25},
    {"AF_APPLETALK", AF_APPLETALK}, {"AF_CAN", AF_CAN},         {"AF_TIPC", AF_TIPC},
    {"AF_RDS", AF_RDS},           {"AF_XDP", AF_XDP},           {"AF_LLC", AF_LLC},
    {"AF_IEEE802154", AF_IEEE802154}, {"AF_NFC", AF_NFC},       {"AF_SMC", AF_SMC},
    {"AF_MCTP", AF_MCTP},         {"AF_QIPCRTR", AF_QIPCRTR},   {"AF_KCM", AF_KCM},
    {"AF_PPPOX", AF_PPPOX},       {"AF_ATMPVC", AF_ATMPVC},     {"AF_ATMSVC", AF_ATMSVC},
    {"AF_IPX", AF_IPX},           {"AF_ROSE", AF_ROSE},         {"AF_NETROM", AF_NETROM},
    {"AF_BRIDGE", AF_BRIDGE},     {"AF_PHONET", AF_PHONET},     {"AF_RXRPC", AF_RXRPC},
    {"AF_CAIF", AF_CAIF},
}};

}  // namespace

std::optional<uint64_t> ioctl_request_from_name(std::string_view name) {
  for (const auto& [n, value] : kIoctls) {
    if (n == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> ioctl_request_name(uint64_t request) {
  for (const auto& [n, value] : kIoctls) {
    if (value == request) return n;
  }
  return std::nullopt;
}

std::optional<int> socket_family_from_name(std::string_view name) {
  for (const auto& [n, value] : kFamilies) {
    if (n == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> socket_family_name(int family) {
  for (const auto& [n, value] : kFamilies) {
    if (value == family) return n;
  }
  return std::nullopt;
}

std::string socket_family_names() {
  std::string out;
  for (const auto& entry : kFamilies) out += (out.empty() ? "" : ", ") + std::string(entry.first);
  return out;
}

}  // namespace sbx::seccomp
