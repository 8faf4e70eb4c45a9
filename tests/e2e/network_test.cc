// Default network: an empty namespace with only loopback. The test listens on the HOST's
// loopback (TCP and a UDP echo server); the sandbox must not reach either, with --network
// loopback (TCP allowed in the sandbox's own namespace) neither, and with --network host (the
// allow half) it must.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <iterator>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/unique_fd.h"
#include "landlock/abi.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

// Binds to 127.0.0.1 on a kernel-chosen port; returns the port, or 0.
int bind_loopback(const UniqueFd& fd) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return 0;
  socklen_t len = sizeof(addr);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    udp_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(tcp_.valid() && udp_.valid());
    tcp_port_ = bind_loopback(tcp_);
    udp_port_ = bind_loopback(udp_);
    ASSERT_NE(tcp_port_, 0);
    ASSERT_NE(udp_port_, 0);
    ASSERT_EQ(::listen(tcp_.get(), 8), 0);
    echo_ = std::jthread([this](std::stop_token stop) { echo_until(stop); });
  }

  // Echoes every datagram back, counting them, until asked to stop (polls, so it stops fast).
  void echo_until(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      pollfd p{udp_.get(), POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      char buf[512];
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      const ssize_t n = ::recvfrom(udp_.get(), buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) continue;
      ++datagrams_;
      ::sendto(udp_.get(), buf, static_cast<size_t>(n), 0, reinterpret_cast<const sockaddr*>(&from), len);
    }
  }

  // True when a connection reached the host listener (it is accepted and closed).
  bool tcp_connection_arrived() {
    const int fd = ::accept4(tcp_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }

  UniqueFd tcp_;
  UniqueFd udp_;
  int tcp_port_ = 0;
  int udp_port_ = 0;
  std::atomic<int> datagrams_{0};
  std::jthread echo_;  // declared last: stopped and joined before the sockets close
};

TEST_F(NetworkTest, DefaultNetworkCannotReachHostTcp) {
  const RunResult r = run_probe({}, {"connect-tcp", "127.0.0.1", std::to_string(tcp_port_)});
  EXPECT_TRUE(FailedWith(r, {EACCES, EPERM, ECONNREFUSED, ENETUNREACH, ETIMEDOUT}));
  EXPECT_FALSE(tcp_connection_arrived());
}

TEST_F(NetworkTest, HostNetworkReachesHostTcp) {
  const RunResult r = run_probe({"--network", "host"}, {"connect-tcp", "127.0.0.1", std::to_string(tcp_port_)});
  EXPECT_TRUE(Succeeded(r));
  EXPECT_TRUE(tcp_connection_arrived());
}

TEST_F(NetworkTest, DefaultNetworkCannotReachHostUdp) {
  const RunResult r = run_probe({}, {"send-udp", "127.0.0.1", std::to_string(udp_port_)});
  EXPECT_TRUE(FailedWith(r, {EACCES, EPERM, ECONNREFUSED, ENETUNREACH, ETIMEDOUT}));
  EXPECT_EQ(datagrams_.load(), 0);
}

TEST_F(NetworkTest, HostNetworkReachesHostUdp) {
  const RunResult r = run_probe({"--network", "host"}, {"send-udp", "127.0.0.1", std::to_string(udp_port_)});
  EXPECT_TRUE(Succeeded(r));
  EXPECT_GE(datagrams_.load(), 1);
}

TEST_F(NetworkTest, LoopbackNetworkCannotReachHostTcpOrUdp) {
  const RunResult tcp = run_probe({"--network", "loopback"}, {"connect-tcp", "127.0.0.1", std::to_string(tcp_port_)});
  EXPECT_TRUE(FailedWith(tcp, {ECONNREFUSED})) << "refused by the sandbox's own loopback" << tcp;
  EXPECT_FALSE(tcp_connection_arrived());
  const RunResult udp = run_probe({"--network", "loopback"}, {"send-udp", "127.0.0.1", std::to_string(udp_port_)});
  EXPECT_TRUE(FailedWith(udp, {ECONNREFUSED, ETIMEDOUT})) << udp;
  EXPECT_EQ(datagrams_.load(), 0);
}

// A server and its client in one sandbox (a web app and its tests): --network loopback lets
// them talk over TCP; the default denies TCP bind and connect altogether where Landlock can.
TEST(LoopbackNetworkTest, TcpWorksInsideTheSandboxOnlyWithLoopback) {
  const RunResult loopback = run_probe({"--network", "loopback"}, {"tcp-self"});
  EXPECT_TRUE(Succeeded(loopback)) << loopback;
  const RunResult none = run_probe({}, {"tcp-self"});
  if (landlock::probe_abi() >= 4) {
    EXPECT_TRUE(FailedWith(none, {EACCES})) << none;
  } else {
    EXPECT_TRUE(Succeeded(none)) << "Landlock before ABI 4 cannot deny TCP" << none;
  }
}

TEST(LoopbackNetworkTest, TheVerdictSaysLoopbackAndThatTcpIsAllowed) {
  const RunResult r = run_sbx({"exec", "--network", "loopback", "--json", "--", "true"});
  ASSERT_EQ(r.status(), 0) << r;
  const auto layers = nlohmann::json::parse(r.out)["layers"];
  EXPECT_EQ(layers["network"], "loopback");
  EXPECT_THAT(layers["namespaces"].get<std::vector<std::string>>(), ::testing::Contains("net"));
  if (landlock::probe_abi() >= 4) {
    EXPECT_EQ(layers["landlock"]["net_rights_denied"], nlohmann::json::array()) << layers;
    EXPECT_THAT(layers["landlock"]["detail"].get<std::string>(), ::testing::HasSubstr("tcp allowed"));
  }
  const RunResult none = run_sbx({"exec", "--json", "--", "true"});
  ASSERT_EQ(none.status(), 0) << none;
  EXPECT_EQ(nlohmann::json::parse(none.out)["layers"]["network"], "none");
}

TEST(InterfacesTest, OnlyLoopbackExistsAndIsUp) {
  const RunResult r = run_probe({}, {"ifaces"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(lines(r.out), std::vector<std::string>{"lo"}) << r;
  EXPECT_TRUE(Succeeded(run_probe({}, {"udp-self"})));
  const RunResult loopback = run_probe({"--network", "loopback"}, {"ifaces"});
  ASSERT_TRUE(Succeeded(loopback));
  EXPECT_EQ(lines(loopback.out), std::vector<std::string>{"lo"}) << loopback;
}

// As on the host (docker run --network host does the same): the host's names resolve, and the
// sandbox's own hostname too; without the host's network, only the sandbox's own names.
TEST(HostNamesTest, HostNetworkHasTheHostsEtcHosts) {
  std::ifstream in("/etc/hosts");
  const std::string host_hosts((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (host_hosts.empty() || host_hosts.size() > 256 * 1024) GTEST_SKIP() << "no /etc/hosts of a size sbx copies";
  const RunResult shared = run_sbx({"exec", "--network", "host", "--", "cat", "/etc/hosts"});
  ASSERT_EQ(shared.status(), 0) << shared;
  EXPECT_EQ(shared.out.rfind(host_hosts, 0), 0u) << shared;
  EXPECT_NE(shared.out.find("127.0.1.1\tsbx\n"), std::string::npos) << shared;
  const RunResult own = run_sbx({"exec", "--", "cat", "/etc/hosts"});
  ASSERT_EQ(own.status(), 0) << own;
  EXPECT_EQ(own.out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tsbx\n");
}

TEST(InterfacesTest, HostNetworkShowsTheHostsInterfaces) {
  const RunResult host = run_probe_on_host({"ifaces"});
  ASSERT_TRUE(Succeeded(host));
  const RunResult r = run_probe({"--network", "host"}, {"ifaces"});
  ASSERT_TRUE(Succeeded(r));
  const auto want = lines(host.out);
  const auto got = lines(r.out);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), std::set<std::string>(want.begin(), want.end())) << r;
}

// The namespace comes from a helper process (launch/netns_helper.h) that enters the sandbox's
// user namespace first: owned by any other user namespace, it would not be the sandbox's own.
TEST(NetworkNamespaceTest, BelongsToTheSandboxesUserNamespace) {
  const RunResult r = run_probe({}, {"netns-owner"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(lines(r.out), std::vector<std::string>{"own"}) << r;
}

// A host that refuses network namespaces (here: unshare(CLONE_NEWNET) fails with EPERM for sbx
// and everything it starts) gets no sandbox without one: the run fails before the program
// starts, with one line naming the step.
TEST(NetworkNamespaceTest, ANamespaceThatCannotBeMadeFailsTheRun) {
  static const sock_filter kDenyNewNet[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWNET, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  const sock_fprog prog{static_cast<unsigned short>(std::size(kDenyNewNet)), const_cast<sock_filter*>(kDenyNewNet)};
  RunOptions options;
  options.seccomp_filter = &prog;
  const RunResult r = run_probe({}, {"create", "/tmp/ran"}, options);
  EXPECT_EQ(r.status(), 125) << r;
  EXPECT_EQ(r.out, "") << r;
  const auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r;
  EXPECT_THAT(err[0], ::testing::HasSubstr("network")) << r;
  EXPECT_THAT(err[0], ::testing::HasSubstr("unshare (network namespace)")) << r;
  EXPECT_THAT(err[0], ::testing::HasSubstr("Operation not permitted")) << r;
  EXPECT_THAT(err[0], ::testing::HasSubstr("user.max_net_namespaces: run sbx doctor")) << r;
  // --network host needs no namespace of its own: the same host runs it.
  EXPECT_TRUE(Succeeded(run_probe({"--network", "host"}, {"ifaces"}, options)));
}

}  // namespace
}  // namespace sbx::e2e
