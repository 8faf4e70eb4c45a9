// `sbx rpc` end to end: runs (plain, streamed, code, files, stdin, secrets), cancel, busy
// backpressure, a client that goes away, SIGTERM, and a barrage of malformed input. Every
// message is checked against the protocol schema; no run may leave a process or directory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "host.h"
#include "mini_store.h"
#include "rpc_harness.h"

namespace sbx::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using sbx::e2e::TempDir;

std::unique_ptr<Child> start_rpc(std::vector<std::string> flags = {}, std::vector<std::string> env = {}) {
  std::vector<std::string> argv = {sbx_binary(), "rpc"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return std::make_unique<Child>(argv, env);
}

Json run_params(std::vector<std::string> argv) { return Json{{"argv", std::move(argv)}}; }

TEST(RpcTest, RunReturnsTheVerdictWithFilesStdinEnvAndRedactedSecrets) {
  auto rpc = start_rpc();
  Json params = run_params({"sh", "-c", "cat data/in.txt; cat; echo \"$GREETING $TOKEN\"; ./tool.sh; exit 3"});
  params["stdin"] = "from stdin\n";
  params["files"] = Json::array({Json{{"path", "data/in.txt"}, {"text", "from a file\n"}},
                                 Json{{"path", "tool.sh"}, {"text", "#!/bin/sh\necho tool ran\n"}, {"executable", true}}});
  params["env"] = {{"GREETING", "hello"}};
  params["secrets"] = {{"TOKEN", "tok-123456"}};
  rpc->send(request(1, "run", params));
  std::vector<Json> seen;
  const Json r = rpc->answer(1, &seen);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  const Json& v = r["result"]["verdict"];
  EXPECT_EQ(v["status"], "exited");
  EXPECT_EQ(v["exit_code"], 3);
  EXPECT_EQ(r["result"]["exit_status"], 3);
  EXPECT_EQ(v["stdout"]["text"], "from a file\nfrom stdin\nhello [REDACTED:TOKEN]\ntool ran\n");
  EXPECT_EQ(v["redactions"]["TOKEN"], 1);
  EXPECT_EQ(r["result"]["caller"]["uid"], ::getuid());
  EXPECT_THAT(r.dump(), Not(HasSubstr("tok-123456")));
  EXPECT_EQ(protocol_schema_errors(seen), "");
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, LanguageAndCodeForPythonAndBash) {
  auto rpc = start_rpc();
  Json py = {{"language", "python"},
             {"code", "import os\nprint(os.getcwd(), open('n.txt').read().strip(), 6*7)\n"},
             {"files", Json::array({Json{{"path", "n.txt"}, {"text", "n"}}})}};
  rpc->send(request("py", "run", py));
  rpc->send(request("sh", "run", Json{{"language", "bash"}, {"code", "echo ${BASH_VERSION%%.*}; exit 4"}}));
  const Json p = rpc->answer("py");
  const Json b = rpc->answer("sh");
  ASSERT_TRUE(p.contains("result")) << p.dump();
  EXPECT_EQ(p["result"]["verdict"]["stdout"]["text"], "/workspace n 42\n");
  ASSERT_TRUE(b.contains("result")) << b.dump();
  EXPECT_EQ(b["result"]["verdict"]["exit_code"], 4);
  EXPECT_EQ(b["result"]["verdict"]["argv"], Json::array({"bash", "/run/sbx/main.sh"}));
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, StreamedRunSendsOutputChunksThenTheVerdict) {
  auto rpc = start_rpc();
  // The euro sign is written in two pieces: the chunks must still be text, never split.
  Json params = run_params({"sh", "-c", "echo one; sleep 0.2; printf '\\342'; sleep 0.2; printf '\\202\\254\\n'; "
                                        "echo two >&2; sleep 0.2; printf '\\377\\n'"});
  params["stream"] = true;
  rpc->send(request(7, "run", params));
  std::vector<Json> seen;
  const Json r = rpc->answer(7, &seen);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  std::string out, err;
  bool base64_seen = false;
  for (const auto& m : seen) {
    if (m.value("method", "") != "run.output") continue;
    EXPECT_EQ(m["params"]["id"], 7);
    const std::string enc = m["params"]["encoding"];
    if (enc == "base64") {
      base64_seen = true;
      continue;
    }
    (m["params"]["stream"] == "stdout" ? out : err) += m["params"]["data"].get<std::string>();
  }
  EXPECT_THAT(out, HasSubstr("one\n\xE2\x82\xAC\n"));
  EXPECT_EQ(err, "two\n");
  EXPECT_TRUE(base64_seen) << "a chunk that is not UTF-8 goes as base64";
  const Json& v = r["result"]["verdict"];
  EXPECT_FALSE(v["stdout"].contains("text"));
  EXPECT_EQ(v["stdout"]["bytes"], 10);
  EXPECT_EQ(protocol_schema_errors(seen), "");
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, CancelEndsTheRunAndLeavesNothingBehind) {
  auto rpc = start_rpc();
  const std::string tag = sleep_marker();  // cancel
  Json params = run_params({"sh", "-c", "echo started; exec sleep 1000 " + tag});
  params["stream"] = true;
  rpc->send(request("long", "run", params));
  const Json first = rpc->message();
  ASSERT_EQ(first.value("method", ""), "run.output") << first.dump();
  ASSERT_TRUE(wait_for([&] { return processes_with(tag) > 0; }));
  rpc->send(request(2, "cancel", Json{{"id", "long"}}));
  std::vector<Json> seen;
  const Json cancelled = rpc->answer(2, &seen);
  EXPECT_EQ(cancelled["result"]["cancelled"], true);
  const Json r = rpc->answer("long", &seen);
  // sleep dies of the SIGTERM the worker passes on: a verdict.
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["status"], "signaled");
  EXPECT_EQ(r["result"]["exit_status"], 128 + SIGTERM);
  EXPECT_TRUE(none_left(tag));
  EXPECT_EQ(protocol_schema_errors(seen), "");
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, CancelEscalatesToKillWhenTheProgramIgnoresSigterm) {
  auto rpc = start_rpc();
  const std::string tag = marker("stubborn");
  Json params = run_params({"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done; : " + tag});
  params["stream"] = true;
  rpc->send(request(1, "run", params));
  ASSERT_EQ(rpc->message().value("method", ""), "run.output");
  rpc->send(request(2, "cancel", Json{{"id", 1}}));
  const auto start = Clock::now();
  const Json r = rpc->answer(1, nullptr, 15s);
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_TRUE(r.contains("error") || r["result"]["verdict"]["status"] == "signaled") << r.dump();
  if (r.contains("error")) {
    EXPECT_EQ(r["error"]["code"], -32004);
  }
  EXPECT_TRUE(none_left(tag));
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, FullQueueIsAnImmediateBusyError) {
  auto rpc = start_rpc({"--max-concurrency", "1", "--queue", "1"});
  const std::string tag = marker("busy");
  rpc->send(request(1, "run", run_params({"sh", "-c", "sleep 1; : " + tag})));
  rpc->send(request(2, "run", run_params({"sh", "-c", "sleep 1; : " + tag})));
  const auto asked = Clock::now();
  rpc->send(request(3, "run", run_params({"true"})));
  std::vector<Json> seen;
  const Json busy = rpc->answer(3, &seen);
  EXPECT_LT(Clock::now() - asked, 900ms) << "busy must not wait for a slot";
  EXPECT_EQ(busy["error"]["code"], -32001) << busy.dump();
  EXPECT_THAT(busy["error"]["message"].get<std::string>(), HasSubstr("busy"));
  // The queued one runs once the first is done.
  EXPECT_EQ(rpc->answer(1, &seen)["result"]["verdict"]["status"], "exited");
  EXPECT_EQ(rpc->answer(2, &seen)["result"]["verdict"]["status"], "exited");
  EXPECT_EQ(protocol_schema_errors(seen), "");
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, MalformedInputGetsClearErrorsAndTheSessionGoesOn) {
  auto rpc = start_rpc({"--max-message", "8k"});
  std::vector<Json> replies;
  auto expect_error = [&](const std::string& line, int code, const std::string& says) {
    rpc->send(line);
    const Json r = rpc->message(10s);
    ASSERT_TRUE(r.is_object()) << "no reply to: " << line.substr(0, 80);
    replies.push_back(r);
    EXPECT_EQ(r["error"]["code"], code) << line.substr(0, 80) << " -> " << r.dump();
    EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr(says)) << line.substr(0, 80);
  };
  expect_error("this is not json", -32700, "not valid JSON");
  expect_error("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"run\",\"params\":{\"argv\":\"ls\"}}", -32602, "params.argv");
  expect_error("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"run\",\"params\":{\"argv\":[\"ls\"],\"limits\":{\"timeout\":\"x\"}}}",
               -32602, "params.limits.timeout");
  expect_error("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"launch\"}", -32601, "launch");
  expect_error("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"health\"}]", -32600, "batches");
  expect_error("{\"jsonrpc\":\"2.0\",\"id\":[5],\"method\":\"health\"}", -32600, "\"id\"");
  expect_error("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"run\",\"params\":7}", -32600, "\"params\"");
  expect_error(std::string(100000, 'x'), -32600, "over the limit");
  expect_error("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"run\",\"params\":{\"argv\":[\"" + std::string(20000, 'a') +
                   "\"]}}",
               -32600, "over the limit");
  expect_error(std::string("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"run\",\"params\":{\"argv\":[\"\xff\"]}}"), -32700,
               "not valid JSON");
  rpc->send(request(9, "health"));
  const Json health = rpc->answer(9, &replies);
  EXPECT_EQ(health["result"]["status"], "ok");
  EXPECT_EQ(protocol_schema_errors(replies), "");
  // A last request without a newline, then EOF: still answered, then a clean exit.
  rpc->send_raw("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"run\",\"params\":{\"argv\":[\"echo\",\"last\"]}}");
  rpc->close_stdin();
  const Json last = rpc->answer(10);
  EXPECT_EQ(last["result"]["verdict"]["stdout"]["text"], "last\n");
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, RequestsAfterEofAreAnsweredAndTheProcessEnds) {
  auto rpc = start_rpc();
  for (int i = 0; i < 3; ++i) rpc->send(request(i, "run", run_params({"sh", "-c", "sleep 0.3; echo " + std::to_string(i)})));
  rpc->close_stdin();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rpc->answer(i)["result"]["verdict"]["stdout"]["text"], std::to_string(i) + "\n");
  }
  EXPECT_EQ(rpc->wait(10s), 0);
}

// An agent may kill its sbx rpc subprocess outright: nothing of the runs it answered may stay
// behind, so sbx rpc makes no run directory ahead of a request (sbx serve does).
TEST(RpcTest, KilledAfterItsRunsItLeavesNoRunDirectory) {
  const TempDir root;
  const std::string& dir = root.path();
  {
    auto rpc = start_rpc({"--run-dir", dir});
    rpc->send(request(1, "run", run_params({"true"})));
    EXPECT_EQ(rpc->answer(1)["result"]["verdict"]["status"], "exited");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(run_dirs_in(dir), 0);
  }  // killed with SIGKILL
  EXPECT_EQ(run_dirs_in(dir), 0);
}

// Killed in the middle of a run, sbx rpc cannot remove that run's directory, with whatever the
// sandbox wrote in it. The next front end using the same run root does, once the directory is
// clearly nobody's (unlocked, and older than the moment between its creation and its lock).
TEST(RpcTest, TheNextFrontEndRemovesTheRunDirectoryAKilledOneLeft) {
  const TempDir root;
  const std::string& dir = root.path();
  const std::string tag = sleep_marker();
  {
    auto rpc = start_rpc({"--run-dir", dir});
    Json params = run_params({"sh", "-c", "echo data > /workspace/result; echo up; exec sleep 1000 " + tag});
    params["stream"] = true;
    rpc->send(request(1, "run", params));
    ASSERT_EQ(rpc->message().value("method", ""), "run.output");
  }  // killed with SIGKILL
  EXPECT_TRUE(none_left(tag));
  ASSERT_EQ(run_dirs_in(dir), 1);
  const std::string left = std::filesystem::directory_iterator(dir)->path().string();
  ASSERT_TRUE(std::filesystem::exists(left + "/workspace/result"));
  const timespec old{::time(nullptr) - 3600, 0};
  const timespec times[2] = {old, old};
  ASSERT_EQ(::utimensat(AT_FDCWD, left.c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  {
    auto rpc = start_rpc({"--run-dir", dir});
    rpc->send(request(2, "run", run_params({"sh", "-c", "sleep 0.3; echo fine"})));
    // While this run holds its own directory, the one left behind goes.
    bool swept = false;
    for (auto deadline = std::chrono::steady_clock::now() + 5s; !swept && std::chrono::steady_clock::now() < deadline;) {
      swept = !std::filesystem::exists(std::filesystem::symlink_status(left));
      if (!swept) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(swept) << left;
    EXPECT_EQ(rpc->answer(2)["result"]["verdict"]["stdout"]["text"], "fine\n");
  }
}

TEST(RpcTest, AClientThatGoesAwayTakesItsRunsWithIt) {
  const std::string tag = sleep_marker();  // gone
  // A run root of its own: in /tmp, another front end could remove what a killed one left
  // there (rpc/abandoned_run_directories.h) while this test counts.
  const TempDir root;
  {
    auto rpc = start_rpc({"--run-dir", root.path()});
    Json params = run_params({"sh", "-c", "echo up; exec sleep 1000 " + tag});
    params["stream"] = true;
    rpc->send(request(1, "run", params));
    ASSERT_EQ(rpc->message().value("method", ""), "run.output");
    // Waited for: while sh execs sleep, its command line reads empty for a moment.
    ASSERT_TRUE(wait_for([&] { return processes_with(tag) > 0; }));
    // Both pipes closed: sbx rpc can neither read requests nor deliver answers.
    rpc->close_stdout();
    rpc->close_stdin();
    EXPECT_EQ(rpc->wait(10s), 0);
  }
  EXPECT_TRUE(none_left(tag));
  EXPECT_EQ(run_dirs_in(root.path()), 0);
}

TEST(RpcTest, SigtermCancelsRunsAnswersAndExits) {
  auto rpc = start_rpc();
  const std::string tag = sleep_marker();  // sigterm
  Json params = run_params({"sh", "-c", "echo up; exec sleep 1000 " + tag});
  params["stream"] = true;
  rpc->send(request(1, "run", params));
  ASSERT_EQ(rpc->message().value("method", ""), "run.output");
  ::kill(rpc->pid(), SIGTERM);
  const Json r = rpc->answer(1);
  EXPECT_TRUE(r.contains("result") || r["error"]["code"] == -32004) << r.dump();
  EXPECT_EQ(rpc->wait(10s), 0);
  EXPECT_TRUE(none_left(tag));
}

// A worker finds the trees `sbx exec` would find for the same user: by name, and by the command.
TEST(RpcTest, RunsFindTheCallersRootfsTrees) {
  e2e::MiniStore store({.name = "ptree", .commands = {"probe-cmd"}, .probe_as = "probe-cmd"});
  auto rpc = start_rpc({}, {"SBX_ROOTFS_STORE=" + store.path()});
  Json by_name = run_params({"/usr/bin/probe-cmd", "read", "/etc/os-release"});
  by_name["rootfs"] = "ptree";
  rpc->send(request(1, "run", by_name));
  rpc->send(request(2, "run", run_params({"probe-cmd", "read", "/etc/os-release"})));
  for (int id : {1, 2}) {
    const Json r = rpc->answer(id);
    ASSERT_TRUE(r.contains("result")) << r.dump();
    EXPECT_EQ(r["result"]["verdict"]["exit_code"], 0) << r.dump();
    EXPECT_EQ(r["result"]["verdict"]["stdout"]["text"], "ID=ptree\n") << r.dump();
  }
  // And the capabilities say which trees a run may name, and for which commands.
  rpc->send(request(3, "capabilities"));
  std::vector<Json> seen;
  const Json c = rpc->answer(3, &seen);
  ASSERT_TRUE(c.contains("result")) << c.dump();
  ASSERT_EQ(c["result"]["trees"].size(), 1u) << c.dump();
  EXPECT_EQ(c["result"]["trees"][0]["name"], "ptree");
  EXPECT_EQ(c["result"]["trees"][0]["commands"], Json::array({"probe-cmd"}));
  EXPECT_EQ(protocol_schema_errors(seen), "");
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

// A language whose interpreter only a built tree has is offered, and its runs get that tree.
TEST(RpcTest, ALanguageATreeProvidesIsOffered) {
  if (::access("/usr/bin/ruby", X_OK) == 0 || ::access("/usr/local/bin/ruby", X_OK) == 0) {
    GTEST_SKIP() << "the host has ruby itself";
  }
  const auto languages_of = [](const std::vector<std::string>& env) {
    auto rpc = start_rpc({}, env);
    rpc->send(request(1, "capabilities"));
    const Json c = rpc->answer(1);
    std::vector<std::string> names;
    for (const auto& l : c["result"]["languages"]) names.push_back(l["name"]);
    rpc->close_stdin();
    EXPECT_EQ(rpc->wait(), 0);
    return names;
  };
  EXPECT_THAT(languages_of({}), Not(Contains("ruby")));

  e2e::MiniStore store({.name = "rb", .commands = {"ruby"}, .probe_as = "ruby"});
  EXPECT_THAT(languages_of({"SBX_ROOTFS_STORE=" + store.path()}), Contains("ruby"));
  auto rpc = start_rpc({}, {"SBX_ROOTFS_STORE=" + store.path()});
  rpc->send(request(1, "run", Json{{"language", "ruby"}, {"code", "puts 1"}}));
  const Json r = rpc->answer(1);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  // The tree's "ruby" is the probe, which takes no script: its usage message proves whose it is.
  EXPECT_THAT(r["result"]["verdict"]["stderr"]["text"].get<std::string>(), HasSubstr("usage: sbx-probe")) << r.dump();
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, CapabilitiesDescribeTheService) {
  auto rpc = start_rpc({"--timeout", "9s", "--languages", "python,bash"});
  rpc->send(request(1, "capabilities"));
  std::vector<Json> seen;
  const Json c = rpc->answer(1, &seen);
  ASSERT_TRUE(c.contains("result")) << c.dump();
  EXPECT_EQ(c["result"]["protocol"], "sbx.rpc/1");
  EXPECT_EQ(c["result"]["limits"]["max_timeout_ms"], 9000);
  std::vector<std::string> names;
  for (const auto& l : c["result"]["languages"]) names.push_back(l["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"python", "bash"}));
  EXPECT_TRUE(c["result"]["doctor"].is_object());
  EXPECT_EQ(protocol_schema_errors(seen), "");
  // Over the ceiling the flags set: forbidden, naming the field.
  rpc->send(request(2, "run", Json{{"argv", {"true"}}, {"limits", {{"timeout", 60}}}}));
  const Json f = rpc->answer(2);
  EXPECT_EQ(f["error"]["code"], -32002);
  EXPECT_THAT(f["error"]["message"].get<std::string>(), HasSubstr("params.limits.timeout"));
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(RpcTest, ASetupFailureIsARunFailedErrorWithTheReason) {
  auto rpc = start_rpc();
  rpc->send(request(1, "run", Json{{"argv", {"true"}}, {"tmpfs", {"relative/path"}}}));
  const Json r = rpc->answer(1);
  ASSERT_TRUE(r.contains("error")) << r.dump();
  EXPECT_EQ(r["error"]["code"], -32003);
  EXPECT_THAT(r["error"]["message"].get<std::string>(), HasSubstr("--tmpfs relative/path"));
  EXPECT_EQ(r["error"]["data"]["exit_status"], 125);
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

}  // namespace
}  // namespace sbx::test
