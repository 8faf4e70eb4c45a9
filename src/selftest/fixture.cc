#include "selftest/fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/file_contents.h"
#include "base/remove_tree.h"

extern char** environ;

namespace sbx::selftest {
namespace {

// What an attack left behind must go, whatever modes it gave it (an overlay's work/work is left
// 0000): an attack must never meet what the one before it made.
Status remove_leftover(const std::filesystem::path& path) {
  auto removed = remove_tree(path.string());
  if (!removed) return std::move(removed).error().context("selftest: what an attack left");
  return {};
}

std::string random_hex(size_t bytes) {
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", rd() & 0xff);
    out += buf;
  }
  return out;
}

Result<UniqueFd> listen_on(int family, int type, const sockaddr* addr, socklen_t len) {
  UniqueFd fd(::socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return errno_error("selftest: socket");
  if (::bind(fd.get(), addr, len) != 0) return errno_error("selftest: bind");
  if (type == SOCK_STREAM && ::listen(fd.get(), 16) != 0) return errno_error("selftest: listen");
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

}  // namespace

Result<std::unique_ptr<Fixture>> Fixture::create(const std::string& sbx_binary) {
  std::unique_ptr<Fixture> f(new Fixture());
  char base[] = "/tmp/sbx-selftest-XXXXXX";
  if (::mkdtemp(base) == nullptr) return errno_error("selftest: mkdtemp");
  f->base_ = base;
  ::chmod(base, 0755);
  Targets& t = f->targets_;
  t.canary_dir = f->base_ + "/canary";
  t.canary_file = t.canary_dir + "/secret";
  t.canary_text = "sbx-selftest-canary-" + random_hex(16);
  t.workspace = f->base_ + "/workspace";
  t.sbx_binary = sbx_binary;
  t.env_canary = random_hex(16);
  t.abstract_socket = "sbx-selftest-" + random_hex(8);
  t.unix_socket = t.canary_dir + "/sock";
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  t.hostname = host;
  // Empty when unreadable: the machine-id attack then has nothing to compare against.
  t.machine_id = read_file_contents("/etc/machine-id").value_or({});
  // World-writable, so file permissions never do the sandbox's job: only isolation may stop a
  // sandbox user (mapped to another host uid) from writing them.
  for (const auto& dir : {t.canary_dir, t.workspace}) {
    if (::mkdir(dir.c_str(), 0777) != 0 || ::chmod(dir.c_str(), 0777) != 0) return errno_error("selftest: " + dir);
  }
  f->leaked_dir_ = UniqueFd(::open(t.canary_dir.c_str(), O_RDONLY | O_DIRECTORY));  // not O_CLOEXEC: the bait
  if (f->leaked_dir_.get() < 0) return errno_error("selftest: " + t.canary_dir);
  t.leaked_fd = f->leaked_dir_.get();
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) return errno_error("selftest: openpty");
  f->pty_master_ = UniqueFd(master);
  f->pty_slave_ = UniqueFd(slave);
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave, F_SETFD, FD_CLOEXEC);
  SBX_RETURN_IF_ERROR(f->open_listeners());
  SBX_RETURN_IF_ERROR(f->reset());
  return f;
}

Status Fixture::open_listeners() {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SBX_ASSIGN_OR_RETURN(tcp_, listen_on(AF_INET, SOCK_STREAM, reinterpret_cast<sockaddr*>(&v4), sizeof v4));
  SBX_ASSIGN_OR_RETURN(udp_, listen_on(AF_INET, SOCK_DGRAM, reinterpret_cast<sockaddr*>(&v4), sizeof v4));
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = in6addr_loopback;
  if (auto fd = listen_on(AF_INET6, SOCK_STREAM, reinterpret_cast<sockaddr*>(&v6), sizeof v6)) {
    tcp6_ = std::move(*fd);
    targets_.tcp6_port = bound_port(tcp6_.get());
  }  // a host without IPv6 loopback: the tcp6 attack cannot succeed anywhere and says so
  targets_.tcp_port = bound_port(tcp_.get());
  targets_.udp_port = bound_port(udp_.get());
  sockaddr_un abstract{};
  abstract.sun_family = AF_UNIX;
  std::memcpy(abstract.sun_path + 1, targets_.abstract_socket.data(), targets_.abstract_socket.size());
  SBX_ASSIGN_OR_RETURN(abstract_, listen_on(AF_UNIX, SOCK_STREAM, reinterpret_cast<sockaddr*>(&abstract),
                                            static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 +
                                                                   targets_.abstract_socket.size())));
  sockaddr_un path{};
  path.sun_family = AF_UNIX;
  std::strncpy(path.sun_path, targets_.unix_socket.c_str(), sizeof path.sun_path - 1);
  SBX_ASSIGN_OR_RETURN(unix_, listen_on(AF_UNIX, SOCK_STREAM, reinterpret_cast<sockaddr*>(&path), sizeof path));
  ::chmod(targets_.unix_socket.c_str(), 0777);
  stop_ = UniqueFd(::eventfd(0, EFD_CLOEXEC));
  listener_thread_ = std::thread([this] { serve_listeners(); });
  return {};
}

// Counts every connection and datagram that reaches the listeners.
void Fixture::serve_listeners() {
  std::array<pollfd, 6> fds{{{stop_.get(), POLLIN, 0},
                             {tcp_.get(), POLLIN, 0},
                             {tcp6_.get(), POLLIN, 0},
                             {udp_.get(), POLLIN, 0},
                             {abstract_.get(), POLLIN, 0},
                             {unix_.get(), POLLIN, 0}}};
  while (::poll(fds.data(), fds.size(), -1) >= 0) {
    if (fds[0].revents != 0) return;
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & POLLIN) == 0) continue;
      if (fds[i].fd == udp_.get()) {
        char buf[512];
        while (::recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT) >= 0) ++hits_;
      } else {
        const int c = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          ++hits_;
          ::close(c);
        }
      }
    }
  }
}

Status Fixture::spawn_canary_process() {
  // Its own process group, so nothing aimed at the selftest's group reaches it by accident.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  char arg0[] = "sleep";
  char arg1[] = "3600";
  char* argv[] = {arg0, arg1, nullptr};
  const int r = ::posix_spawn(&canary_pid_, "/bin/sleep", nullptr, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  if (r != 0) return Error{r, "selftest: spawn the canary process /bin/sleep"};
  canary_pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, canary_pid_, 0)));
  if (canary_pidfd_.get() < 0) return errno_error("selftest: pidfd_open of the canary process");
  targets_.canary_pid = canary_pid_;
  return {};
}

void Fixture::reap_canary_process() {
  if (canary_pid_ <= 0) return;
  ::kill(canary_pid_, SIGKILL);
  ::waitpid(canary_pid_, nullptr, 0);
  canary_pid_ = -1;
  canary_pidfd_ = UniqueFd();
}

bool Fixture::canary_process_alive() {
  if (canary_pid_ <= 0) return false;
  pollfd exited{canary_pidfd_.get(), POLLIN, 0};
  if (::poll(&exited, 1, 200) == 0) return true;
  reap_canary_process();
  return false;
}

Status Fixture::reset() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(targets_.canary_dir, ec)) {
    if (entry.path() != targets_.unix_socket) SBX_RETURN_IF_ERROR(remove_leftover(entry.path()));
  }
  for (const auto& entry : std::filesystem::directory_iterator(targets_.workspace, ec)) {
    SBX_RETURN_IF_ERROR(remove_leftover(entry.path()));
  }
  {
    std::ofstream out(targets_.canary_file, std::ios::trunc);
    out << targets_.canary_text;
    if (!out) return make_error("selftest: cannot write " + targets_.canary_file);
  }
  ::chmod(targets_.canary_file.c_str(), 0666);
  // Always a new one: the last run may have sent it a SIGKILL that is still on its way.
  reap_canary_process();
  SBX_RETURN_IF_ERROR(spawn_canary_process());
  // A connection the last run made may still wait in a backlog for the listener thread: let it
  // be counted before the count starts over.
  for (int i = 0; i < 50; ++i) {
    std::array<pollfd, 5> pending{{{tcp_.get(), POLLIN, 0},
                                   {tcp6_.get(), POLLIN, 0},
                                   {udp_.get(), POLLIN, 0},
                                   {abstract_.get(), POLLIN, 0},
                                   {unix_.get(), POLLIN, 0}}};
    if (::poll(pending.data(), pending.size(), 0) == 0) break;
    ::usleep(10000);
  }
  hits_ = 0;
  return {};
}

bool Fixture::canary_file_intact() const {
  const auto text = read_file_contents(targets_.canary_file);
  if (!text || *text != targets_.canary_text) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(targets_.canary_dir, ec)) {
    if (entry.path() != targets_.canary_file && entry.path() != targets_.unix_socket) return false;
  }
  return true;
}

Fixture::~Fixture() {
  if (listener_thread_.joinable()) {
    const uint64_t one = 1;
    (void)::write(stop_.get(), &one, sizeof one);
    listener_thread_.join();
  }
  reap_canary_process();
  if (!base_.empty()) (void)remove_tree(base_);
}

}  // namespace sbx::selftest
