// The shipped policies, run through the real binary: each one checks, and each keeps its main
// promises when a program tries to break them (strict: no writes outside /tmp, no network, a
// process limit that holds). Flags override policy fields; a broken policy is one line and 125.
// Tests come in allow/deny pairs so that a layer that silently did nothing cannot pass.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string sbx_binary() {
  const char* env = std::getenv("SBX_BINARY");
  return env != nullptr ? env : SBX_BINARY;
}

std::string policies_dir() {
  const char* env = std::getenv("SBX_SOURCE_DIR");
  return std::string(env != nullptr ? env : SBX_SOURCE_DIR) + "/policies";
}

struct SbxResult {
  int status = -1;  // exit status, or 128+signal
  std::string out;
  std::string err;
};

// A private directory the test user owns, removed afterwards; runs start in it, so it is the
// sandbox's /workspace.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sbx-e2e-policy.XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) path_ = tmpl;
    // Run as root, the sandbox's user is the overflow uid outside: it needs to read the workspace.
    ::chmod(path_.c_str(), 0755);
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs sbx ARGS in `cwd` with the shipped policies first in the search path; killed after
// `limit_seconds` so a broken sandbox cannot hang the suite.
SbxResult run_sbx(const std::vector<std::string>& args, const std::string& cwd = "/tmp", int limit_seconds = 60) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return {};
  }
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string(*e).rfind("SBX_POLICY_PATH=", 0) != 0) env_storage.emplace_back(*e);
  }
  env_storage.push_back("SBX_POLICY_PATH=" + policies_dir());
  std::vector<std::string> full = {sbx_binary()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  SbxResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_count = 2;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
  while (open_count > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "sbx did not finish within " << limit_seconds << "s";
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

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
    const SbxResult r = run_sbx({"policy", "check", name});
    EXPECT_EQ(r.status, 0) << name << ": " << r.err;
    EXPECT_THAT(r.out, StartsWith(name + ": ok (")) << name;
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

TEST(PolicyCli, ListShowsTheShippedPolicies) {
  const SbxResult r = run_sbx({"policy", "list"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* name : {"default", "python", "node", "bash", "strict", "network"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string(name) + " ")) << r.out;
  }
}

TEST(PolicyCli, ShowPrintsWhatCheckAcceptsAndTheSamePolicyAgain) {
  TempDir dir;
  const SbxResult shown = run_sbx({"policy", "show", "strict"});
  ASSERT_EQ(shown.status, 0) << shown.err;
  std::ofstream(dir.path() + "/copy.yaml") << shown.out;
  const SbxResult check = run_sbx({"policy", "check", dir.path() + "/copy.yaml"});
  EXPECT_EQ(check.status, 0) << check.err;
  const SbxResult json = run_sbx({"policy", "show", "strict", "--json"});
  const SbxResult json_again = run_sbx({"policy", "show", dir.path() + "/copy.yaml", "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_EQ(json.out, json_again.out);
  EXPECT_EQ(std::count(json.out.begin(), json.out.end(), '\n'), 1) << "one line of JSON";
}

TEST(PolicyCli, ABrokenPolicyIsExit125WithFileLineAndPathOnOneLine) {
  TempDir dir;
  const std::string file = dir.path() + "/broken.yaml";
  std::ofstream(file) << "extends: strict\nfilesystem:\n  mounts:\n    - source: /etc\n      target: etc\n";
  for (const auto& args : std::vector<std::vector<std::string>>{{"exec", "--policy", file, "--", "true"},
                                                                {"policy", "check", file}}) {
    const SbxResult r = run_sbx(args);
    EXPECT_EQ(r.status, 125);
    EXPECT_THAT(r.err, HasSubstr(file + ":5: filesystem.mounts[0].target: \"etc\" is not an absolute path"));
    EXPECT_THAT(r.err, StartsWith("sbx: error: "));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  const SbxResult unknown = run_sbx({"exec", "--policy", "no-such-policy", "true"});
  EXPECT_EQ(unknown.status, 125);
  EXPECT_THAT(unknown.err, HasSubstr("no policy named \"no-such-policy\""));
}

// strict: /tmp is the only writable place. The probe reports W (written) or R (refused) for each.
TEST(StrictPolicy, NothingIsWritableButTmp) {
  TempDir dir;
  const std::string script =
      "for p in /tmp/a /workspace/a /dev/shm/a /etc/a /a /var/tmp/a /home/a; do "
      "if (echo x > $p) 2>/dev/null; then echo W $p; else echo R $p; fi; done";
  const SbxResult r = run_sbx({"exec", "--policy", "strict", "--", "sh", "-c", script}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "W /tmp/a\nR /workspace/a\nR /dev/shm/a\nR /etc/a\nR /a\nR /var/tmp/a\nR /home/a\n");
  // The pair: the default policy does let the program write /tmp and /dev/shm.
  const SbxResult d = run_sbx({"exec", "--", "sh", "-c", script}, dir.path());
  EXPECT_THAT(d.out, HasSubstr("W /dev/shm/a"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/a")) << "the workspace was written through";
}

// strict: no network, not even the host's loopback; the network policy opens it.
TEST(StrictPolicy, NetworkFailsWhereTheNetworkPolicySucceeds) {
  LoopbackListener listener;
  ASSERT_NE(listener.port(), 0);
  const std::string connect = "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(listener.port()) + " && echo connected";
  const SbxResult strict = run_sbx({"exec", "--policy", "strict", "--", "bash", "-c", connect});
  EXPECT_NE(strict.status, 0);
  EXPECT_EQ(strict.status, 128 + SIGSYS) << "an IPv4 socket is refused by killing the process";
  EXPECT_THAT(strict.out, Not(HasSubstr("connected")));
  EXPECT_FALSE(listener.was_reached());

  const SbxResult open = run_sbx({"exec", "--policy", "network", "--", "bash", "-c", connect});
  EXPECT_EQ(open.status, 0) << open.err;
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
  const SbxResult limited = run_sbx({"exec", "--policy", "strict", "--", "python3", "-c", forks});
  ASSERT_EQ(limited.status, 0) << limited.err;
  int made = -1;
  int failed = -1;
  ASSERT_EQ(std::sscanf(limited.out.c_str(), "%d %d", &made, &failed), 2) << limited.out;
  EXPECT_LT(made, 64);
  EXPECT_GT(failed, 30);

  const SbxResult raised = run_sbx({"exec", "--policy", "strict", "--ulimit", "nproc=500", "--", "python3", "-c", forks});
  ASSERT_EQ(raised.status, 0) << raised.err;
  EXPECT_EQ(raised.out, "100 0\n");
}

TEST(StrictPolicy, AFlagOverridesTheNetworkField) {
  const std::string probe = "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' '";
  const SbxResult isolated = run_sbx({"exec", "--policy", "strict", "--", "sh", "-c", probe});
  ASSERT_EQ(isolated.status, 0) << isolated.err;
  EXPECT_EQ(isolated.out, "lo ");
  const SbxResult shared = run_sbx({"exec", "--policy", "strict", "--network", "host", "--", "sh", "-c", probe});
  ASSERT_EQ(shared.status, 0) << shared.err;
  EXPECT_NE(shared.out, "lo ") << "--network host should show the host's interfaces";
}

TEST(StrictPolicy, OutputAndTimeLimitsEndTheRun) {
  const SbxResult noisy = run_sbx({"exec", "--policy", "strict", "--", "sh", "-c", "yes | head -c 5000000; sleep 30"});
  EXPECT_NE(noisy.status, 0);
  EXPECT_LT(noisy.out.size(), 2u << 20);
  const SbxResult slow = run_sbx({"exec", "--policy", "strict", "--timeout", "1", "--", "sleep", "30"});
  EXPECT_EQ(slow.status, 124);
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
  const SbxResult r = run_sbx({"exec", "--policy", "python", "--", "python3", "-c", script});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1 1 /tmp\nno network\n");
  // A flag overrides a policy field.
  const SbxResult overridden = run_sbx({"exec", "--policy", "python", "-e", "PYTHONUNBUFFERED=0", "--", "python3", "-c",
                                  "import os; print(os.environ['PYTHONUNBUFFERED'])"});
  EXPECT_EQ(overridden.out, "0\n");
}

TEST(BashPolicy, BehavesAsThePolicySays) {
  const SbxResult r = run_sbx({"exec", "--policy", "bash", "--", "bash", "-c", "echo $HISTFILE $(ulimit -u) $(ulimit -f)"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/dev/null 256 262144\n");  // fsize 256m in bash's 1024-byte blocks
}

TEST(NodePolicy, BehavesAsThePolicySays) {
  if (access("/usr/bin/node", X_OK) != 0) GTEST_SKIP() << "node is not installed on this host";
  const SbxResult r = run_sbx({"exec", "--policy", "node", "--", "node", "-e",
                         "console.log(process.env.NODE_ENV, process.env.NPM_CONFIG_CACHE)"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "production /tmp/.npm\n");
}

TEST(DefaultPolicy, IsWhatExecDoesWithoutAPolicy) {
  TempDir dir;
  const std::string probe = "env | sort | grep -v '^PWD='; ulimit -n; ulimit -c";
  const SbxResult none = run_sbx({"exec", "--", "sh", "-c", probe}, dir.path());
  const SbxResult with = run_sbx({"exec", "--policy", "default", "--", "sh", "-c", probe}, dir.path());
  ASSERT_EQ(none.status, 0) << none.err;
  EXPECT_EQ(none.out, with.out);
  const SbxResult none_json = run_sbx({"exec", "--json", "--", "true"});
  const SbxResult with_json = run_sbx({"exec", "--json", "--policy", "default", "--", "true"});
  EXPECT_EQ(none_json.status, 0);
  EXPECT_EQ(with_json.status, 0);
}

}  // namespace
