// The network namespace helper's side (see netns_helper.h). It runs between clone3 and _exit in
// a copy of the parent, under the same rules as the sandbox child (child.cc): syscalls and byte
// copies only, no allocation, no logging, no exceptions.

#include "launch/netns_helper_main.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "launch/sync.h"
#include "sys/fd_passing.h"
#include "sys/raw_syscalls.h"

namespace sbx::launch {
namespace {

void send_namespace(int to_child, int netns_fd, const char* failed_call, int err) noexcept {
  Message m{};
  m.kind = MessageKind::kNetns;
  if (netns_fd < 0) m = failure_message(MessageKind::kNetns, Stage::kNetwork, err, failed_call);
  (void)!sys::send_with_fds(to_child, &m, sizeof(m), &netns_fd, netns_fd >= 0 ? 1 : 0);
}

[[noreturn]] void give_up(int to_child, const char* failed_call) noexcept {
  send_namespace(to_child, -1, failed_call, errno);
  ::_exit(125);
}

// Closes every descriptor but `a` and `b`: the helper must not keep the caller's stdio or
// anything else of the parent's open.
void keep_only(int a, int b) noexcept {
  const unsigned lo = static_cast<unsigned>(a < b ? a : b);
  const unsigned hi = static_cast<unsigned>(a < b ? b : a);
  if (lo > 0) sys::close_range(0, lo - 1, 0);
  if (hi > lo + 1) sys::close_range(lo + 1, hi - 1, 0);
  sys::close_range(hi + 1, ~0U, 0);
}

// Dies with the parent. Re-armed after setns, whose credential change clears it.
void die_with(pid_t parent) noexcept {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || ::getppid() != parent) ::_exit(125);
}

}  // namespace

[[noreturn]] void netns_helper_main(int sandbox_pidfd, int to_child, pid_t parent) noexcept {
  die_with(parent);
  keep_only(sandbox_pidfd, to_child);
  if (::setns(sandbox_pidfd, CLONE_NEWUSER) != 0) give_up(to_child, "setns (the sandbox's user namespace)");
  die_with(parent);
  ::close(sandbox_pidfd);
  if (::unshare(CLONE_NEWNET) != 0) give_up(to_child, "unshare (network namespace)");
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) give_up(to_child, "socket");
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", 3);
  if (::ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) give_up(to_child, "SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(sock, SIOCSIFFLAGS, &ifr) != 0) give_up(to_child, "SIOCSIFFLAGS lo up");
  ::close(sock);
  const int netns = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (netns < 0) give_up(to_child, "open /proc/thread-self/ns/net");
  send_namespace(to_child, netns, nullptr, 0);
  ::_exit(0);
}

}  // namespace sbx::launch
