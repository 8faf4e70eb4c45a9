// `sbx serve` end to end: on --listen and under systemd-socket-activate (LISTEN_FDS, Accept=no,
// idle exit), driven by `sbx exec --remote` and by raw protocol clients. Peer credentials
// against the allow list, a misbehaving client next to a good one, named policies, SIGTERM
// draining, and nothing left behind.
#include <grp.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mini_store.h"
#include "rpc_harness.h"

namespace sbx::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using e2e::RunOptions;
using e2e::TempDir;
using e2e::RunResult;
using e2e::run_sbx;

// A private directory for the socket, the configuration and the run directories.
class ServeDir {
 public:
  ServeDir() {
    char tmpl[] = "/tmp/sbx-serve-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
    ::chmod(path_.c_str(), 0755);
  }
  ~ServeDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  std::string socket() const { return path_ + "/sbx.sock"; }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << text;
    return file;
  }

 private:
  std::string path_;
};

std::vector<std::string> serve_env() { return {"SBX_POLICY_PATH=" + source_dir() + "/policies"}; }

std::unique_ptr<Child> start_serve(const ServeDir& dir, std::vector<std::string> flags,
                                   std::vector<std::string> extra_env = {}) {
  std::vector<std::string> argv = {sbx_binary(), "serve", "--listen", dir.socket()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  std::vector<std::string> env = serve_env();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  auto child = std::make_unique<Child>(argv, env);
  EXPECT_TRUE(wait_for([&] { return ::access(dir.socket().c_str(), F_OK) == 0; })) << child->stderr_text();
  return child;
}

std::string own_config(const ServeDir& dir, const std::string& extra = "") {
  return "max_concurrency: 4\nqueue: 8\nrun_dir: " + dir.path() + "\n" + extra + "allow:\n  - uid: " +
         std::to_string(::getuid()) + "\n";
}

// `sbx exec --remote SOCKET ARGS...` as a user would run it.
RunResult remote(const std::string& socket, std::vector<std::string> args, const std::string& input = "") {
  std::vector<std::string> argv = {"exec", "--remote", socket};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions options;
  options.stdin_text = input;
  return run_sbx(argv, options);
}

// --report replaces its file whole, locally or from the service's verdict (app/verdict_output.h):
// the output still streams, and nothing but the report is left beside it.
TEST(ServeTest, RemoteExecWritesTheReportFileAsLocalDoes) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir))});
  const std::string reports = dir.path() + "/reports";
  ASSERT_EQ(::mkdir(reports.c_str(), 0755), 0);
  const std::string report = reports + "/verdict.json";
  const RunResult e = remote(dir.socket(), {"--report", report, "--", "sh", "-c", "echo live; exit 4"});
  EXPECT_EQ(e.status(), 4) << e.err;
  EXPECT_EQ(e.out, "live\n");
  std::ifstream in(report);
  const Json verdict = Json::parse(in, nullptr, false);
  ASSERT_TRUE(verdict.is_object());
  EXPECT_EQ(verdict["status"], "exited");
  EXPECT_EQ(verdict["exit_code"], 4);
  EXPECT_EQ(verdict["stdout"]["bytes"], 5);
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(reports)) left.push_back(entry.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{"verdict.json"});

  // Checked before the request is sent, as locally: the run does not happen.
  const RunResult nowhere = remote(dir.socket(), {"--report", reports + "/missing/verdict.json", "--", "echo", "ran"});
  EXPECT_EQ(nowhere.status(), 125);
  EXPECT_EQ(nowhere.out, "");
  EXPECT_THAT(nowhere.err, HasSubstr("--report " + reports + "/missing/verdict.json: the verdict could not be written in"));
}

TEST(ServeTest, RemoteExecHasTheSameOutputAndExitStatusAsLocal) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir))});
  const RunResult e = remote(dir.socket(), {"--", "sh", "-c", "echo out; echo err >&2; cat; exit 3"}, "piped\n");
  EXPECT_EQ(e.status(), 3) << e.err;
  EXPECT_EQ(e.out, "out\npiped\n");
  EXPECT_THAT(e.err, HasSubstr("err"));

  const RunResult v = remote(dir.socket(), {"--json", "--timeout", "300ms", "--", "sleep", "5"});
  EXPECT_EQ(v.status(), 124) << v.err;
  const Json verdict = Json::parse(v.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << v.out;
  EXPECT_EQ(verdict["status"], "timeout");

  const RunResult missing = remote(dir.socket(), {"--", "/no/such/program"});
  EXPECT_EQ(missing.status(), 127) << missing.err;
  const RunResult bad = remote(dir.socket(), {"--tmpfs", "relative", "--", "true"});
  EXPECT_EQ(bad.status(), 125);
  EXPECT_THAT(bad.err, HasSubstr("--tmpfs relative"));

  ::kill(serve->pid(), SIGTERM);
  EXPECT_EQ(serve->wait(15s), 0) << serve->stderr_text();
  EXPECT_NE(::access(dir.socket().c_str(), F_OK), 0) << "the --listen socket was left behind";
  // One log line per run, with the caller; never the program's arguments.
  EXPECT_THAT(serve->stderr_text(), HasSubstr("caller_uid=" + std::to_string(::getuid())));
  EXPECT_THAT(serve->stderr_text(), HasSubstr("status=exited"));
  EXPECT_THAT(serve->stderr_text(), HasSubstr("status=timeout"));
  EXPECT_THAT(serve->stderr_text(), Not(HasSubstr("piped")));
}

// A request is JSON text: bytes that are not UTF-8 would reach the service as U+FFFD and run
// something other than what was asked, so --remote refuses them before sending anything.
TEST(ServeTest, RemoteExecRefusesBytesARequestCannotCarryAndKeepsUnicodeExact) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir))});
  const std::string invalid = "a\xff" "b";
  const RunResult env = remote(dir.socket(), {"--env", "X=" + invalid, "--", "true"});
  EXPECT_EQ(env.status(), 125) << env.out;
  EXPECT_THAT(env.err, HasSubstr("--env X: not valid UTF-8"));
  const RunResult arg = remote(dir.socket(), {"--", "printf", invalid});
  EXPECT_EQ(arg.status(), 125);
  EXPECT_THAT(arg.err, HasSubstr("argument 1: not valid UTF-8"));
  EXPECT_EQ(arg.out, "");
  const RunResult workdir = remote(dir.socket(), {"--workdir", "/" + invalid, "--", "true"});
  EXPECT_EQ(workdir.status(), 125);
  EXPECT_THAT(workdir.err, HasSubstr("--workdir: not valid UTF-8"));

  // Text that is UTF-8 goes through byte for byte, non-ASCII included.
  const std::string text = "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x99\x82";
  const RunResult ok = remote(dir.socket(), {"--env", "X=" + text, "--", "sh", "-c", "printf '%s|%s\\n' \"$X\" \"$1\"", "sh", text});
  EXPECT_EQ(ok.status(), 0) << ok.err;
  EXPECT_EQ(ok.out, text + "|" + text + "\n");

  ::kill(serve->pid(), SIGTERM);
  EXPECT_EQ(serve->wait(15s), 0) << serve->stderr_text();
  // Only the last run reached the service.
  const std::string log = serve->stderr_text();
  size_t runs = 0;
  for (size_t at = log.find("status=exited"); at != std::string::npos; at = log.find("status=exited", at + 1)) ++runs;
  EXPECT_EQ(runs, 1u) << log;
}

TEST(ServeTest, NamedPoliciesComeFromTheServicesSearchPath) {
  ServeDir dir;
  auto serve = start_serve(
      dir, {"--config", dir.write("serve.yaml", own_config(dir, "defaults:\n  policies: [default, python, bash]\n"))});
  const RunResult e = remote(dir.socket(), {"--json", "--policy", "bash", "--", "sh", "-c", "exit 0"});
  const Json verdict = Json::parse(e.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << e.out << e.err;
  EXPECT_EQ(verdict["policy"]["name"], "bash");

  const RunResult refused = remote(dir.socket(), {"--policy", "strict", "--", "true"});
  EXPECT_EQ(refused.status(), 125);
  EXPECT_THAT(refused.err, HasSubstr("not allowed"));
  const RunResult path = remote(dir.socket(), {"--policy", "/etc/passwd", "--", "true"});
  EXPECT_EQ(path.status(), 125);
  EXPECT_THAT(path.err, HasSubstr("--policy"));

  SocketClient client(dir.socket());
  ASSERT_TRUE(client.connected());
  client.send(request(1, "run", Json{{"argv", {"true"}}, {"policy", "../../etc/passwd"}}));
  const Json r = client.answer(1);
  EXPECT_EQ(r["error"]["code"], -32602) << r.dump();
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("params.policy"));
  client.send(request(2, "capabilities"));
  std::vector<Json> seen;
  const Json c = client.answer(2, &seen);
  ASSERT_TRUE(c.contains("result")) << c.dump();
  std::map<std::string, bool> offered;
  for (const auto& p : c["result"]["policies"]["available"]) offered[p["name"]] = p["allowed"];
  EXPECT_TRUE(offered["python"]);
  EXPECT_FALSE(offered["strict"]);
  EXPECT_EQ(protocol_schema_errors(seen), "");
}

// A caller that stops reading ends a remote run as a broken pipe ends a local program: exit 141,
// and the service cancels the run when the connection closes (nothing of it runs on).
TEST(ServeTest, RemoteExecEndsWhenItsReaderGoesAway) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir))});
  const std::string marker = e2e::unique_marker();
  RunOptions options;
  options.env = {"SBX=" + sbx_binary(), "SOCK=" + dir.socket()};
  options.timeout = 20s;
  const RunResult r = e2e::run({"/bin/bash", "-c",
                                "\"$SBX\" exec --remote \"$SOCK\" -- yes " + marker +
                                    " | head -c 2 >/dev/null; echo \"sbx=${PIPESTATUS[0]}\""},
                               options);
  EXPECT_FALSE(r.timed_out) << r;
  EXPECT_EQ(r.out, "sbx=141\n") << r;
  EXPECT_TRUE(wait_for([&] { return e2e::processes_with_marker(marker).empty(); }))
      << "the run went on after its caller left";
}

// Trees are the service's: --rootfs NAME is sent as the name, and without it the service picks
// the tree for the command from its own stores. The caller's trees are never sent as paths (the
// service would refuse them), even when the caller has one that lists the command.
TEST(ServeTest, RemoteExecLeavesTheTreeToTheService) {
  ServeDir dir;
  e2e::MiniStore store({.name = "ptree", .commands = {"probe-cmd"}, .probe_as = "probe-cmd"});
  const std::string trees = "rootfs:\n  ptree: " + store.root() + "\ndefaults:\n  rootfs: [ptree]\n";
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir, trees))},
                           {"SBX_ROOTFS_STORE=" + store.path()});
  RunOptions caller;
  caller.env = {"SBX_ROOTFS_STORE=" + store.path()};
  const RunResult picked =
      run_sbx({"-v", "exec", "--remote", dir.socket(), "--", "probe-cmd", "read", "/etc/os-release"}, caller);
  EXPECT_EQ(picked.status(), 0) << picked;
  EXPECT_EQ(picked.out, "ID=ptree\n");
  EXPECT_THAT(picked.err, HasSubstr("rootfs: the service's choice for the command (--remote)"));

  const RunResult named = run_sbx(
      {"exec", "--remote", dir.socket(), "--rootfs", "ptree", "--", "/usr/bin/probe-cmd", "read", "/etc/os-release"},
      caller);
  EXPECT_EQ(named.status(), 0) << named;
  EXPECT_EQ(named.out, "ID=ptree\n");
  // A name the service does not offer is refused by the service, by that name.
  const RunResult unknown = run_sbx({"exec", "--remote", dir.socket(), "--rootfs", "nosuch", "--", "true"}, caller);
  EXPECT_EQ(unknown.status(), 125) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("params.rootfs: \"nosuch\" is not a root tree this service offers"));

  const RunResult path = run_sbx({"exec", "--remote", dir.socket(), "--rootfs", store.root(), "--", "true"}, caller);
  EXPECT_EQ(path.status(), 125) << path;
  EXPECT_THAT(path.err, HasSubstr("--rootfs " + store.root() + ": not with --remote"));
}

// The service cannot see the caller's directory: its /workspace is a fresh one of its own. Flags
// about the caller's directory are refused, and a run naming a file that only the caller has
// is warned about rather than left to fail with "No such file".
TEST(ServeTest, RemoteExecSaysTheCallersDirectoryIsNotTheWorkspace) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir, ""))});
  TempDir here;
  { std::ofstream(here / "data.txt") << "local\n"; }
  RunOptions in_here;
  in_here.cwd = here.path();
  for (const char* flag : {"--rw", "--no-workspace"}) {
    const RunResult r = run_sbx({"exec", "--remote", dir.socket(), flag, "--", "true"}, in_here);
    EXPECT_EQ(r.status(), 125) << r;
    EXPECT_THAT(r.err, HasSubstr(std::string(flag) + ": not with --remote")) << r;
  }
  const RunResult named = run_sbx({"exec", "--remote", dir.socket(), "--", "cat", "data.txt"}, in_here);
  EXPECT_EQ(named.status(), 1) << named;
  EXPECT_THAT(named.err, HasSubstr("--remote: data.txt is in your directory, which the service cannot see")) << named;
  const RunResult piped = run_sbx({"exec", "--remote", dir.socket(), "--", "ls", "-A", "/workspace"}, in_here);
  EXPECT_EQ(piped.status(), 0) << piped;
  EXPECT_EQ(piped.out, "") << "the service's workspace starts empty";
  EXPECT_EQ(piped.err, "") << "nothing named here: nothing to warn about";
}

TEST(ServeTest, AMisbehavingClientDoesNotDisturbAnother) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir, "max_message: 64k\n"))});
  SocketClient bad(dir.socket());
  SocketClient good(dir.socket());
  ASSERT_TRUE(bad.connected() && good.connected());
  good.send(request(1, "run", Json{{"argv", {"sh", "-c", "sleep 0.3; echo fine"}}}));
  // Garbage, a line far over max_message, wrong types, an unknown method.
  const std::string junk = "{\"jsonrpc\": nope\n" + std::string(300000, 'x') + "\n[1,2]\n" +
                           "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"run\",\"params\":{\"argv\":\"ls\"}}\n" +
                           "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"explode\"}\n";
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, dir.socket().c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  size_t sent = 0;
  while (sent < junk.size()) {
    const ssize_t n = ::send(fd, junk.data() + sent, junk.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    sent += static_cast<size_t>(n);
  }
  LineReader replies(fd);
  std::vector<int> codes;
  for (int i = 0; i < 5; ++i) {
    const Json m = replies.message(10s);
    ASSERT_TRUE(m.is_object()) << "reply " << i << " missing; stderr: " << serve->stderr_text();
    codes.push_back(m["error"]["code"].get<int>());
  }
  EXPECT_EQ(codes, (std::vector<int>{-32700, -32600, -32600, -32602, -32601}));
  ::close(fd);
  bad.close();

  const Json r = good.answer(1);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["stdout"]["text"], "fine\n");
  good.send(request(2, "health"));
  EXPECT_EQ(good.answer(2)["result"]["status"], "ok");
}

TEST(ServeTest, PeerCredentialsAreCheckedAgainstTheAllowList) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to connect as another user (nobody)";
  ServeDir dir;
  auto serve = start_serve(dir, {"--socket-mode", "0666", "--config", dir.write("serve.yaml", own_config(dir))});
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipe_fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(2);
    }
    SocketClient c(dir.socket());
    // One line: the reader hands out whole lines only.
    const std::string answer = (c.connected() ? c.message(10s).dump() : "not connected") + "\n";
    (void)!::write(pipe_fds[1], answer.data(), answer.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  LineReader reader(pipe_fds[0]);
  std::string answer;
  while (auto l = reader.line(15s)) answer += *l;
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const Json refusal = Json::parse(answer, nullptr, false);
  ASSERT_TRUE(refusal.is_object()) << answer;
  EXPECT_EQ(refusal["error"]["code"], -32002);
  EXPECT_THAT(refusal["error"]["message"].get<std::string>(), HasSubstr("uid 65534 (gid 65534) is not allowed"));
  EXPECT_TRUE(wait_for([&] { return serve->stderr_text().find("caller_uid=65534") != std::string::npos; }));
  EXPECT_THAT(serve->stderr_text(), HasSubstr("reason=not_allowed"));
  // The allowed caller still gets through.
  EXPECT_EQ(remote(dir.socket(), {"--", "true"}).status(), 0);
}

TEST(ServeTest, SigtermLetsARunningSandboxFinish) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--config", dir.write("serve.yaml", own_config(dir))});
  SocketClient client(dir.socket());
  ASSERT_TRUE(client.connected());
  // A sleep of a little over a second whose argument marks it as this test's.
  const std::string tag = "1." + sleep_marker().substr(5);
  client.send(request(1, "run", Json{{"argv", {"sh", "-c", "sleep " + tag + "; echo finished"}}, {"stream", true}}));
  ASSERT_TRUE(wait_for([&] { return processes_with(tag) > 0; }));
  ::kill(serve->pid(), SIGTERM);
  // New connections are no longer taken.
  EXPECT_TRUE(wait_for([&] { return !SocketClient(dir.socket()).connected(); }, 5s));
  std::vector<Json> seen;
  const Json r = client.answer(1, &seen);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["status"], "exited");
  std::string streamed;
  for (const auto& m : seen) {
    if (m.value("method", "") == "run.output") streamed += m["params"]["data"].get<std::string>();
  }
  EXPECT_EQ(streamed, "finished\n");
  EXPECT_EQ(serve->wait(15s), 0);
  EXPECT_EQ(run_dirs_in(dir.path()), 0);
}

TEST(ServeTest, SigtermKillsRunsThatOutlastTheDrainTimeout) {
  ServeDir dir;
  auto serve = start_serve(dir, {"--drain-timeout", "500ms", "--config", dir.write("serve.yaml", own_config(dir))});
  const std::string tag = sleep_marker();
  SocketClient client(dir.socket());
  client.send(request(1, "run", Json{{"argv", {"sleep", tag}}}));
  ASSERT_TRUE(wait_for([&] { return processes_with(tag) > 0; }));
  const auto started = Clock::now();
  ::kill(serve->pid(), SIGTERM);
  const Json r = client.answer(1);
  EXPECT_TRUE(r.contains("error") || r["result"]["verdict"]["status"] == "signaled") << r.dump();
  EXPECT_EQ(serve->wait(15s), 0);
  EXPECT_LT(Clock::now() - started, 10s);
  EXPECT_TRUE(none_left(tag));
  EXPECT_EQ(run_dirs_in(dir.path()), 0);
}

// systemd's own tool passes the socket as systemd does (LISTEN_FDS, LISTEN_PID, Accept=no).
TEST(ServeTest, SocketActivationBySystemdSocketActivate) {
  const char* tool = "/usr/bin/systemd-socket-activate";
  if (::access(tool, X_OK) != 0) GTEST_SKIP() << "systemd-socket-activate is not installed (package systemd)";
  ServeDir dir;
  Child activator({tool, "-l", dir.socket(), "-E", "SBX_POLICY_PATH=" + source_dir() + "/policies", sbx_binary(),
                   "serve", "--idle-exit", "1500ms", "--config", dir.write("serve.yaml", own_config(dir))});
  ASSERT_TRUE(wait_for([&] { return ::access(dir.socket().c_str(), F_OK) == 0; })) << activator.stderr_text();
  // The first connection starts the service (systemd-socket-activate execs it on demand).
  const RunResult e = remote(dir.socket(), {"--", "sh", "-c", "echo activated; exit 5"});
  EXPECT_EQ(e.status(), 5) << e.err << activator.stderr_text();
  EXPECT_EQ(e.out, "activated\n");
  {
    SocketClient client(dir.socket());
    ASSERT_TRUE(client.connected());
    client.send(request(1, "health"));
    EXPECT_EQ(client.answer(1)["result"]["status"], "ok");
  }
  // Idle: no clients, no runs. It exits by itself (status 0), leaving the socket to systemd.
  EXPECT_EQ(activator.wait(20s), 0) << activator.stderr_text();
  EXPECT_THAT(activator.stderr_text(), HasSubstr("systemd socket"));
  EXPECT_THAT(activator.stderr_text(), HasSubstr("idle for"));
}

}  // namespace
}  // namespace sbx::test
