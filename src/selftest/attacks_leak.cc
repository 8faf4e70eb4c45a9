// What the sandbox must not learn about the host.
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/klog.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <sstream>

#include "selftest/attack_util.h"

namespace sbx::selftest {
namespace {

Report host_environment(const AttackContext& c) {
  const char* value = std::getenv(kEnvCanaryName);
  if (value != nullptr && c.targets.env_canary == value) return escaped("saw the caller's environment variable");
  return blocked(std::string(kEnvCanaryName) + " is not in the environment");
}

Report host_hostname(const AttackContext& c) {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  if (!c.targets.hostname.empty() && c.targets.hostname == name) return escaped("the hostname is the host's");
  return blocked(std::string("hostname \"") + name + "\"");
}

Report etc_shadow(const AttackContext&) {
  const auto text = read_text("/etc/shadow");
  if (text && text->find("root:") != std::string::npos) return escaped("read /etc/shadow");
  return blocked("/etc/shadow: " + (text ? std::string("no password entries") : errno_text()));
}

Report kallsyms(const AttackContext&) {
  const auto text = read_text("/proc/kallsyms", 1 << 16);
  if (!text) return blocked("/proc/kallsyms: " + errno_text());
  std::istringstream lines(*text);
  std::string address;
  while (lines >> address) {
    if (address.find_first_not_of('0') != std::string::npos) return escaped("read kernel addresses: " + address);
    lines.ignore(1 << 10, '\n');
  }
  return blocked("/proc/kallsyms shows only zero addresses");
}

Report dmesg(const AttackContext&) {
  char buf[256];
  constexpr int kReadAll = 3;  // SYSLOG_ACTION_READ_ALL
  const int n = ::klogctl(kReadAll, buf, sizeof buf);
  return n > 0 ? escaped("read the kernel log") : blocked("syslog: " + errno_text());
}

Report machine_id(const AttackContext& c) {
  const auto text = read_text("/etc/machine-id");
  if (text && !c.targets.machine_id.empty() && *text == c.targets.machine_id) return escaped("read the host's machine-id");
  return blocked("/etc/machine-id: " + (text ? std::string("not the host's") : errno_text()));
}

Report host_passwd(const AttackContext&) {
  // Every Debian /etc/passwd has "daemon"; the sandbox's generated one lists its own user only.
  const auto text = read_text("/etc/passwd");
  if (text && text->find("\ndaemon:") != std::string::npos) return escaped("read the host's user list");
  return blocked("/etc/passwd has no host accounts");
}

Report host_interfaces(const AttackContext&) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return blocked("getifaddrs: " + errno_text());
  std::string seen;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if ((i->ifa_flags & IFF_LOOPBACK) == 0 && i->ifa_name != nullptr) seen = i->ifa_name;
  }
  ::freeifaddrs(list);
  return seen.empty() ? blocked("only loopback is visible") : escaped("sees the host's interface " + seen);
}

constexpr std::array kAttacks = {
    Attack{"leak.host-environment", "leak", "read the caller's environment", host_environment},
    Attack{"leak.host-hostname", "leak", "learn the host's hostname", host_hostname},
    Attack{"leak.etc-shadow", "leak", "read /etc/shadow", etc_shadow},
    Attack{"leak.kallsyms", "leak", "read kernel symbol addresses", kallsyms},
    Attack{"leak.dmesg", "leak", "read the kernel log", dmesg},
    Attack{"leak.machine-id", "leak", "read the host's machine-id", machine_id},
    Attack{"leak.host-passwd", "leak", "read the host's /etc/passwd", host_passwd},
    Attack{"leak.host-interfaces", "leak", "see the host's network interfaces", host_interfaces},
};

}  // namespace

std::span<const Attack> leak_attacks() { return kAttacks; }

}  // namespace sbx::selftest
