// The shipped policies, run through the real binary: each one checks, and each keeps its main
// promises when a program tries to break them (strict: no writes outside /tmp, no network, a
// process limit that holds). Flags override policy fields; a broken policy is one line and 125.
// Tests come in allow/deny pairs so that a layer that silently did nothing cannot pass.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy_runner.h"

namespace {

using sbx::e2e::policies_dir;
using sbx::e2e::run_sbx_with_policies;
using sbx::e2e::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// A TCP listener on the host's loopback, to see whether a sandbox can reach it.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackListener() {
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }
  // True when a connection arrived (it is accepted and closed).
  bool was_reached() const {
    const int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return false;
    close(conn);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(PolicyCli, EveryShippedPolicyChecks) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(policies_dir())) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().stem();
    const sbx::e2e::RunResult r = run_sbx_with_policies({"policy", "check", name});
    EXPECT_EQ(r.status(), 0) << name << ": " << r.err;
    EXPECT_THAT(r.out, StartsWith(name + ": ok (")) << name;
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST(PolicyCli, ListShowsTheShippedPolicies) {
  const sbx::e2e::RunResult r = run_sbx_with_policies({"policy", "list"});
  ASSERT_EQ(r.status(), 0) << r.err;
  for (const char* name : {"default", "python", "node", "bash", "strict", "network"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string(name) + " ")) << r.out;
  }
}

TEST(PolicyCli, ShowPrintsWhatCheckAcceptsAndTheSamePolicyAgain) {
  TempDir dir;
  const sbx::e2e::RunResult shown = run_sbx_with_policies({"policy", "show", "strict"});
  ASSERT_EQ(shown.status(), 0) << shown.err;
  std::ofstream(dir.path() + "/copy.yaml") << shown.out;
  const sbx::e2e::RunResult check = run_sbx_with_policies({"policy", "check", dir.path() + "/copy.yaml"});
  EXPECT_EQ(check.status(), 0) << check.err;
  const sbx::e2e::RunResult json = run_sbx_with_policies({"policy", "show", "strict", "--json"});
  const sbx::e2e::RunResult json_again = run_sbx_with_policies({"policy", "show", dir.path() + "/copy.yaml", "--json"});
  ASSERT_EQ(json.status(), 0) << json.err;
  EXPECT_EQ(json.out, json_again.out);
  EXPECT_EQ(std::count(json.out.begin(), json.out.end(), '\n'), 1) << "one line of JSON";
}

TEST(PolicyCli, ABrokenPolicyIsExit125WithFileLineAndPathOnOneLine) {
  TempDir dir;
  const std::string file = dir.path() + "/broken.yaml";
  std::ofstream(file) << "extends: strict\nfilesystem:\n  mounts:\n    - source: /etc\n      target: etc\n";
  for (const auto& args : std::vector<std::vector<std::string>>{{"exec", "--policy", file, "--", "true"},
                                                                {"policy", "check", file}}) {
    const sbx::e2e::RunResult r = run_sbx_with_policies(args);
    EXPECT_EQ(r.status(), 125);
    EXPECT_THAT(r.err, HasSubstr(file + ":5:15: filesystem.mounts[0].target: \"etc\" is not an absolute path"));
    EXPECT_THAT(r.err, StartsWith("sbx: error: "));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  const sbx::e2e::RunResult unknown = run_sbx_with_policies({"exec", "--policy", "no-such-policy", "true"});
  EXPECT_EQ(unknown.status(), 125);
  EXPECT_THAT(unknown.err, HasSubstr("no policy named \"no-such-policy\""));
}

// strict: /tmp is the only writable place. The probe reports W (written) or R (refused) for each.
TEST(StrictPolicy, NothingIsWritableButTmp) {
  TempDir dir;
  const std::string script =
      "for p in /tmp/a /workspace/a /dev/shm/a /etc/a /a /var/tmp/a /home/a; do "
      "if (echo x > $p) 2>/dev/null; then echo W $p; else echo R $p; fi; done";
  const sbx::e2e::RunResult r = run_sbx_with_policies({"exec", "--policy", "strict", "--", "sh", "-c", script}, dir.path());
  ASSERT_EQ(r.status(), 0) << r.err;
  EXPECT_EQ(r.out, "W /tmp/a\nR /workspace/a\nR /dev/shm/a\nR /etc/a\nR /a\nR /var/tmp/a\nR /home/a\n");
  // The pair: the default policy does let the program write /tmp and /dev/shm.
  const sbx::e2e::RunResult d = run_sbx_with_policies({"exec", "--", "sh", "-c", script}, dir.path());
  EXPECT_THAT(d.out, HasSubstr("W /dev/shm/a"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/a")) << "the workspace was written through";
}

// strict: no network, not even the host's loopback; the network policy opens it.
TEST(StrictPolicy, NetworkFailsWhereTheNetworkPolicySucceeds) {
  LoopbackListener listener;
  ASSERT_NE(listener.port(), 0);
  const std::string connect = "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(listener.port()) + " && echo connected";
  const sbx::e2e::RunResult strict = run_sbx_with_policies({"exec", "--policy", "strict", "--", "bash", "-c", connect});
  EXPECT_NE(strict.status(), 0);
  EXPECT_EQ(strict.status(), 128 + SIGSYS) << "an IPv4 socket is refused by killing the process";
  EXPECT_THAT(strict.out, Not(HasSubstr("connected")));
  EXPECT_FALSE(listener.was_reached());

  const sbx::e2e::RunResult open = run_sbx_with_policies({"exec", "--policy", "network", "--", "bash", "-c", connect});
  EXPECT_EQ(open.status(), 0) << open.err;
  EXPECT_THAT(open.out, HasSubstr("connected"));
  EXPECT_TRUE(listener.was_reached());
}

// strict: a bounded fork loop hits nproc (64); a flag raises the limit over the policy's.
TEST(StrictPolicy, ProcessLimitHoldsAndAFlagOverridesIt) {
  const std::string forks =
      "import os, time\n"
      "made = failed = 0\n"
      "for i in range(100):\n"
      "    try:\n"
      "        pid = os.fork()\n"
      "    except OSError:\n"
      "        failed += 1\n"
      "        continue\n"
      "    if pid == 0:\n"
      "        time.sleep(3)\n"
      "        os._exit(0)\n"
      "    made += 1\n"
      "print(made, failed)\n";
  const sbx::e2e::RunResult limited = run_sbx_with_policies({"exec", "--policy", "strict", "--", "python3", "-c", forks});
  ASSERT_EQ(limited.status(), 0) << limited.err;
  int made = -1;
  int failed = -1;
  ASSERT_EQ(std::sscanf(limited.out.c_str(), "%d %d", &made, &failed), 2) << limited.out;
  EXPECT_LT(made, 64);
  EXPECT_GT(failed, 30);

  const sbx::e2e::RunResult raised = run_sbx_with_policies({"exec", "--policy", "strict", "--ulimit", "nproc=500", "--", "python3", "-c", forks});
  ASSERT_EQ(raised.status(), 0) << raised.err;
  EXPECT_EQ(raised.out, "100 0\n");
}

TEST(StrictPolicy, AFlagOverridesTheNetworkField) {
  const std::string probe = "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '";
  const sbx::e2e::RunResult isolated = run_sbx_with_policies({"exec", "--policy", "strict", "--", "sh", "-c", probe});
  ASSERT_EQ(isolated.status(), 0) << isolated.err;
  EXPECT_EQ(isolated.out, "lo ");
  const sbx::e2e::RunResult shared = run_sbx_with_policies({"exec", "--policy", "strict", "--network", "host", "--", "sh", "-c", probe});
  ASSERT_EQ(shared.status(), 0) << shared.err;
  EXPECT_NE(shared.out, "lo ") << "--network host should show the host's interfaces";
}

TEST(StrictPolicy, OutputAndTimeLimitsEndTheRun) {
  const sbx::e2e::RunResult noisy = run_sbx_with_policies({"exec", "--policy", "strict", "--", "sh", "-c", "yes | head -c 5000000; sleep 30"});
  EXPECT_NE(noisy.status(), 0);
  EXPECT_LT(noisy.out.size(), 2u << 20);
  const sbx::e2e::RunResult slow = run_sbx_with_policies({"exec", "--policy", "strict", "--timeout", "1", "--", "sleep", "30"});
  EXPECT_EQ(slow.status(), 124);
}

TEST(PythonPolicy, BehavesAsThePolicySays) {
  const std::string script =
      "import os, sys, socket\n"
      "print(sys.flags.dont_write_bytecode, os.environ['PYTHONUNBUFFERED'], os.environ['HOME'])\n"
      "try:\n"
      "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
      "    print('network')\n"
      "except OSError:\n"
      "    print('no network')\n";
  const sbx::e2e::RunResult r = run_sbx_with_policies({"exec", "--policy", "python", "--", "python3", "-c", script});
  ASSERT_EQ(r.status(), 0) << r.err;
  EXPECT_EQ(r.out, "1 1 /tmp\nno network\n");
  // A flag overrides a policy field.
  const sbx::e2e::RunResult overridden = run_sbx_with_policies({"exec", "--policy", "python", "-e", "PYTHONUNBUFFERED=0", "--", "python3", "-c",
                                  "import os; print(os.environ['PYTHONUNBUFFERED'])"});
  EXPECT_EQ(overridden.out, "0\n");
}

TEST(BashPolicy, BehavesAsThePolicySays) {
  const sbx::e2e::RunResult r = run_sbx_with_policies({"exec", "--policy", "bash", "--", "bash", "-c", "echo $HISTFILE $(ulimit -u) $(ulimit -f)"});
  ASSERT_EQ(r.status(), 0) << r.err;
  EXPECT_EQ(r.out, "/dev/null 256 262144\n");  // fsize 256m in bash's 1024-byte blocks
}

TEST(NodePolicy, BehavesAsThePolicySays) {
  if (access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "node is not installed on this host";
  const sbx::e2e::RunResult r = run_sbx_with_policies({"exec", "--policy", "node", "--", "node", "-e",
                         "console.log(process.env.NODE_ENV, process.env.NPM_CONFIG_CACHE)"});
  ASSERT_EQ(r.status(), 0) << r.err;
  EXPECT_EQ(r.out, "production /tmp/.npm\n");
}

TEST(DefaultPolicy, IsWhatExecDoesWithoutAPolicy) {
  TempDir dir;
  const std::string probe = "env | sort | grep -v '^PWD='; ulimit -n; ulimit -c";
  const sbx::e2e::RunResult none = run_sbx_with_policies({"exec", "--", "sh", "-c", probe}, dir.path());
  const sbx::e2e::RunResult with = run_sbx_with_policies({"exec", "--policy", "default", "--", "sh", "-c", probe}, dir.path());
  ASSERT_EQ(none.status(), 0) << none.err;
  EXPECT_EQ(none.out, with.out);
  const sbx::e2e::RunResult none_json = run_sbx_with_policies({"exec", "--json", "--", "true"});
  const sbx::e2e::RunResult with_json = run_sbx_with_policies({"exec", "--json", "--policy", "default", "--", "true"});
  EXPECT_EQ(none_json.status(), 0);
  EXPECT_EQ(with_json.status(), 0);
}

}  // namespace
