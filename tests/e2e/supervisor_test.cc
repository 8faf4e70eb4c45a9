// The supervisor seen from outside: timeouts that nothing escapes, bounded output, secret
// redaction across writes and encodings, and the JSON verdict.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "host.h"
#include "sbx_runner.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

using sbx::e2e::RunOptions;
using sbx::e2e::RunResult;

// `sbx exec --no-workspace ARGS...` from /tmp with extra environment and stdin /dev/null.
RunResult run_exec(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                   int limit_seconds = 30) {
  std::vector<std::string> full = {"exec", "--no-workspace"};
  full.insert(full.end(), args.begin(), args.end());
  RunOptions options;
  options.env = env;
  options.cwd = "/tmp";
  options.timeout = std::chrono::seconds(limit_seconds);
  RunResult r = sbx::e2e::run_sbx(full, options);
  EXPECT_FALSE(r.timed_out) << r;
  return r;
}

nlohmann::json verdict(const RunResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON object: " << r.out.substr(0, 200);
  return j;
}


TEST(TimeoutTest, SigtermIgnoringProgramIsKilledOnTimeWithStatus124) {
  const RunResult r = run_exec({"--timeout", "0.5", "--kill-after", "0.5", "--", "sh", "-c", "trap '' TERM; sleep 30"});
  EXPECT_EQ(r.status(), 124);
  EXPECT_LT((r.elapsed.count() / 1000.0), 5.0);
  EXPECT_GE((r.elapsed.count() / 1000.0), 0.9);  // the grace was honoured
  EXPECT_NE(r.err.find("sbx: killed: wall-clock timeout 0.5s exceeded"), std::string::npos) << r.err;
}

TEST(TimeoutTest, ProgramThatStopsAtSigtermEndsWithin124AndNoGrace) {
  const RunResult r = run_exec({"--timeout", "0.3", "--kill-after", "10", "--", "sleep", "30"});
  EXPECT_EQ(r.status(), 124);
  EXPECT_LT((r.elapsed.count() / 1000.0), 5.0);
}

TEST(TimeoutTest, NoTimeoutMeansTheProgramsOwnStatus) {
  const RunResult r = run_exec({"--timeout", "10", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(r.status(), 7);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(TimeoutTest, SelfDaemonizingAndStoppedProcessesDoNotOutliveIt) {
  char dir_template[] = "/tmp/sbx-e2e-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  chmod(dir.c_str(), 0777);
  // A sleep length no other process on the host uses, so pgrep finds only this run's.
  const std::string sleep_arg = "60." + std::to_string(getpid());
  const RunResult r = run_exec({"--timeout", "0.5", "--kill-after", "0.3", "-v", dir + ":/out", "--", "sh", "-c",
                               "setsid sh -c 'trap \"\" TERM HUP; echo $$ > /out/daemon; exec sleep " + sleep_arg +
                                   "' & sh -c 'echo $$ > /out/stopped; kill -STOP $$' & trap '' TERM; sleep " +
                                   sleep_arg});
  EXPECT_EQ(r.status(), 124) << r;
  std::ifstream daemon(dir + "/daemon");
  std::string line;
  EXPECT_TRUE(std::getline(daemon, line)) << "the daemon never started";
  FILE* p = popen(("pgrep -f '^sleep " + sleep_arg + "$' | wc -l").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char count[16] = {};
  EXPECT_NE(fgets(count, sizeof(count), p), nullptr);
  pclose(p);
  EXPECT_EQ(std::atoi(count), 0) << "a process of the timed-out run survived";
  std::system(("rm -rf " + dir).c_str());
}

TEST(OutputLimitTest, FloodIsCappedWithMarkerAndBoundedMemory) {
  // 1 GiB through a 1 MiB limit.
  const RunResult r = run_exec({"--output-limit", "1m", "--", "head", "-c", "1073741824", "/dev/zero"}, {}, 120);
  EXPECT_EQ(r.status(), 0);
  EXPECT_EQ(r.out.size(), (1u << 20) + std::string("\n[sbx: output limit of 1048576 bytes reached; 1072693248 bytes dropped here]\n").size());
  EXPECT_NE(r.out.find("bytes dropped here]"), std::string::npos);
  EXPECT_NE(r.err.find("stdout truncated"), std::string::npos) << r.err;
  // AddressSanitizer keeps freed buffers in quarantine (up to 256 MiB), so there the bound would
  // measure the sanitizer, not sbx.
  if (!sbx::e2e::kSbxBuiltWithAsan) {
    EXPECT_LT(r.max_rss_kb, 64 * 1024) << "sbx used " << r.max_rss_kb << " KiB for a capped flood";
  }
}

TEST(OutputLimitTest, KillModeEndsTheRun) {
  const RunResult r = run_exec({"--output-limit", "64k", "--on-output-limit", "kill", "--json", "--", "sh", "-c",
                         "yes; sleep 30"});
  const auto v = verdict(r);
  EXPECT_EQ(v["status"], "output_limit");
  EXPECT_EQ(r.status(), 137);
  EXPECT_LE(v["stdout"]["text"].get<std::string>().size(), 65536u + 200u);
}

TEST(OutputTest, BinaryOutputPassesThroughUntouched) {
  const RunResult r = run_exec({"--", "sh", "-c", "printf '\\000\\377\\001\\200abc'"});
  EXPECT_EQ(r.out, std::string("\0\xff\x01\x80" "abc", 7));
}

// A caller that stops reading is a broken pipe for the program, as without sbx: `yes` dies of
// SIGPIPE and its shell goes on (its stderr still arrives). sbx neither dies of the SIGPIPE
// itself (losing the rest and the cleanup) nor, with SIGPIPE ignored, drains the stream forever.
TEST(OutputTest, AReaderThatGoesAwayIsABrokenPipeForTheProgram) {
  for (const std::string trap : {"", "trap '' PIPE; "}) {
    const std::string script = trap + "\"$SBX\" exec --no-workspace -- sh -c 'yes; echo after-yes >&2' | head -c 2 "
                               ">/dev/null; echo \"sbx=${PIPESTATUS[0]}\"";
    RunOptions options;
    options.env = {"SBX=" + sbx::e2e::sbx_binary()};
    options.cwd = "/tmp";
    options.timeout = std::chrono::seconds(15);
    const RunResult r = sbx::e2e::run({"/bin/bash", "-c", script}, options);
    EXPECT_FALSE(r.timed_out) << trap << r;
    EXPECT_EQ(r.out, "sbx=0\n") << trap << r;
    EXPECT_EQ(r.err, "after-yes\n") << trap << r;
  }
}

// The same for the verdict: nobody reads --json's stdout, so sbx ends as any program whose
// reader left (141, silently), and the --report file still gets the verdict.
TEST(VerdictTest, AJsonReaderThatGoesAwayEndsLikeABrokenPipe) {
  const sbx::e2e::TempDir dir;
  const std::string report = dir / "verdict.json";
  RunOptions options;
  options.env = {"SBX=" + sbx::e2e::sbx_binary(), "REPORT=" + report};
  options.cwd = "/tmp";
  const RunResult r = sbx::e2e::run(
      {"/bin/bash", "-c",
       "\"$SBX\" exec --no-workspace --json --report \"$REPORT\" -- sh -c 'sleep 0.2; echo hi' | true; "
       "echo \"sbx=${PIPESTATUS[0]}\""},
      options);
  EXPECT_EQ(r.out, "sbx=141\n") << r;
  EXPECT_EQ(r.err, "") << r;
  std::ifstream in(report);
  const auto written = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(written.is_object() && written.value("status", "") == "exited") << "the report is written all the same";
}

TEST(OutputTest, NonUtf8OutputIsLosslessInJson) {
  const RunResult r = run_exec({"--json", "--", "sh", "-c", "printf '\\377\\376x'"});
  const auto v = verdict(r);
  ASSERT_TRUE(v["stdout"].contains("base64")) << r.out;
  EXPECT_EQ(v["stdout"]["base64"], "//54");
}

TEST(SecretTest, RedactedWholeSplitAndByteByByte) {
  const std::vector<std::string> env = {"API_TOKEN=s3cr3t-t0ken-value"};
  const RunResult whole = run_exec({"--secret", "API_TOKEN", "--", "sh", "-c", "echo token=$API_TOKEN"}, env);
  EXPECT_EQ(whole.out, "token=[REDACTED:API_TOKEN]\n");
  const RunResult split = run_exec({"--secret", "API_TOKEN", "--", "sh", "-c",
                             "printf s3cr3t-t; sleep 0.2; printf 0ken-value; echo"}, env);
  EXPECT_EQ(split.out, "[REDACTED:API_TOKEN]\n");
  const RunResult bytes = run_exec({"--secret", "API_TOKEN", "--", "sh", "-c",
                             "for c in s 3 c r 3 t - t 0 k e n - v a l u e; do printf $c; sleep 0.01; done; echo"},
                            env);
  EXPECT_EQ(bytes.out, "[REDACTED:API_TOKEN]\n");
  const RunResult on_stderr = run_exec({"--secret", "API_TOKEN", "--", "sh", "-c", "echo $API_TOKEN >&2"}, env);
  EXPECT_EQ(on_stderr.err, "[REDACTED:API_TOKEN]\n");
}

TEST(SecretTest, ShortSecretsAreRefused) {
  const RunResult r = run_exec({"--secret", "SHORT", "--", "true"}, {"SHORT=abc"});
  EXPECT_EQ(r.status(), 125);
  EXPECT_NE(r.err.find("shorter than 6 bytes"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("abc"), std::string::npos) << "the error leaked the value";
}

TEST(SecretTest, NeverInTheVerdict) {
  const RunResult r = run_exec({"--json", "--redact", "hunter2-password", "--", "sh", "-c",
                         "echo hunter2-password; nonexistent-hunter2-password"});
  EXPECT_EQ(r.out.find("hunter2-password"), std::string::npos) << r.out;
  const auto v = verdict(r);
  EXPECT_EQ(v["redactions"]["redact-1"], 2);  // once on stdout, once in the shell's error on stderr
}

TEST(VerdictTest, JsonIsTheOnlyThingOnStdout) {
  const RunResult r = run_exec({"--json", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.status(), 3);
  const auto v = verdict(r);
  EXPECT_EQ(v["version"], 1);
  EXPECT_EQ(v["status"], "exited");
  EXPECT_EQ(v["exit_code"], 3);
  EXPECT_EQ(v["stdout"]["text"], "out\n");
  EXPECT_EQ(v["stderr"]["text"], "err\n");
  EXPECT_EQ(v["argv"][0], "sh");
  EXPECT_TRUE(v["layers"]["landlock"]["enforced"].get<bool>());
  EXPECT_TRUE(v["layers"]["seccomp"]["enforced"].get<bool>());
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST(VerdictTest, ReportFdLeavesOutputStreaming) {
  char path_template[] = "/tmp/sbx-verdict-XXXXXX";
  const int fd = mkstemp(path_template);
  ASSERT_GE(fd, 0);
  close(fd);
  const RunResult r = run_exec({"--report", path_template, "--", "echo", "live"});
  EXPECT_EQ(r.out, "live\n");
  std::ifstream in(path_template);
  const auto v = nlohmann::json::parse(in);
  EXPECT_EQ(v["status"], "exited");
  EXPECT_EQ(v["stdout"]["bytes"], 5);
  EXPECT_FALSE(v["stdout"].contains("text"));
  unlink(path_template);
}

TEST(VerdictTest, AReportThatCouldNotBeWrittenStopsTheRunBeforeItStarts) {
  const RunResult r = run_exec({"--report", "/nonexistent-sbx-dir/verdict.json", "--", "echo", "ran"});
  EXPECT_EQ(r.status(), 125) << r;
  EXPECT_EQ(r.out, "") << "the program must not have run";
  EXPECT_NE(r.err.find("--report /nonexistent-sbx-dir/verdict.json: the verdict could not be written in "
                       "/nonexistent-sbx-dir"),
            std::string::npos)
      << r.err;
}

TEST(VerdictTest, CpuTimeIsLimitedAndReported) {
  const RunResult r = run_exec({"--cpu-time", "1", "--json", "--", "sh", "-c", "while :; do :; done"}, {}, 20);
  const auto v = verdict(r);
  EXPECT_EQ(v["status"], "signaled");
  EXPECT_TRUE(v["signal"] == SIGXCPU || v["signal"] == SIGKILL) << v["signal"];
  EXPECT_GE(v["cpu_user_ms"].get<double>() + v["cpu_system_ms"].get<double>(), 900.0);
}

TEST(VerdictTest, SetupErrorsAreReported) {
  const RunResult r = run_exec({"--json", "--", "no-such-command-here"});
  EXPECT_EQ(r.status(), 127);
  const auto v = verdict(r);
  EXPECT_EQ(v["status"], "setup_error");
  EXPECT_EQ(v["error"]["stage"], "exec");
}

}  // namespace

namespace {

// Validates with Debian's python3-jsonschema against the schema shipped in the source tree.
std::string schema_errors(const std::string& instance) {
  char path_template[] = "/tmp/sbx-instance-XXXXXX";
  const int fd = mkstemp(path_template);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, instance.data(), instance.size()), static_cast<ssize_t>(instance.size()));
  close(fd);
  const std::string cmd = "/usr/bin/python3 -c 'import json,sys,jsonschema; "
                          "s=json.load(open(sys.argv[1])); i=json.load(open(sys.argv[2])); "
                          "jsonschema.Draft202012Validator.check_schema(s); "
                          "errs=[e.message for e in jsonschema.Draft202012Validator(s).iter_errors(i)]; "
                          "print(\"; \".join(errs))' " +
                          sbx::e2e::source_dir() + "/src/supervisor/verdict.schema.json " + path_template + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    pclose(p);
  }
  unlink(path_template);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(VerdictSchemaTest, EveryKindOfEndMatchesTheSchema) {
  const std::vector<std::vector<std::string>> runs = {
      {"--json", "--", "sh", "-c", "echo hi; exit 4"},
      {"--json", "--", "sh", "-c", "kill -TERM $$"},
      {"--json", "--timeout", "0.2", "--", "sleep", "10"},
      {"--json", "--output-limit", "1k", "--on-output-limit", "kill", "--", "yes"},
      {"--json", "--output-limit", "1k", "--", "sh", "-c", "head -c 5000 /dev/zero"},
      {"--json", "--", "no-such-program"},
      {"--json", "--redact", "abcdefgh", "--", "sh", "-c", "printf '\\377abcdefgh'"},
      {"--json", "--pids", "10", "--cgroup", "best-effort", "--", "true"},
      {"--json", "--network", "loopback", "--", "true"},
      {"--json", "--network", "host", "--", "true"},
  };
  for (const auto& args : runs) {
    const RunResult r = run_exec(args);
    ASSERT_FALSE(r.out.empty()) << args.back() << ": " << r.err;
    EXPECT_EQ(schema_errors(r.out), "") << "for " << args.back() << ": " << r.out;
  }
}

TEST(VerdictSchemaTest, TheSchemaRejectsAWrongVerdict) {
  const RunResult r = run_exec({"--json", "--", "true"});
  auto v = nlohmann::json::parse(r.out);
  v["status"] = "finished";
  v.erase("layers");
  EXPECT_NE(schema_errors(v.dump()), "");
}

}  // namespace

namespace {

TEST(SecretTest, CommonEncodingsAreCaughtThroughTheWholePipeline) {
  const std::vector<std::string> env = {"API_TOKEN=p@ss w0rd/secret+value"};
  // base64 at the three alignments (0, 1 and 2 bytes before the secret), hex both cases,
  // percent-encoding; each printed on its own line.
  const RunResult r = run_exec(
      {"--secret", "API_TOKEN", "--", "python3", "-c",
       "import base64,os,urllib.parse\n"
       "s=os.environ['API_TOKEN'].encode()\n"
       "for pre in (b'', b'x', b'xy'):\n"
       "  print(base64.b64encode(pre+s+b'tail').decode())\n"
       "  print(base64.urlsafe_b64encode(pre+s+b'tail').decode())\n"
       "print(s.hex()); print(s.hex().upper())\n"
       "print(urllib.parse.quote(s.decode(), safe=''))\n"},
      env);
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_EQ(r.out.find("cEBzcyB3MHJk"), std::string::npos) << r.out;  // base64 of the start
  EXPECT_EQ(r.out.find("7040737320773072642f736563726574"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("p%40ss%20w0rd"), std::string::npos) << r.out;
  size_t markers = 0;
  for (size_t at = r.out.find("[REDACTED:API_TOKEN]"); at != std::string::npos;
       at = r.out.find("[REDACTED:API_TOKEN]", at + 1)) {
    ++markers;
  }
  EXPECT_EQ(markers, 9u) << r.out;
}

TEST(SecretTest, FiveHundredSecretsAtOnce) {
  char path_template[] = "/tmp/sbx-secrets-XXXXXX";
  const int fd = mkstemp(path_template);
  ASSERT_GE(fd, 0);
  std::string file;
  std::string printed;
  for (int i = 0; i < 500; ++i) {
    const std::string value = "secret-value-" + std::to_string(i * 7919) + "-end";
    file += "S" + std::to_string(i) + "=" + value + "\n";
    if (i % 50 == 0) printed += value + " ";
  }
  ASSERT_EQ(write(fd, file.data(), file.size()), static_cast<ssize_t>(file.size()));
  close(fd);
  chmod(path_template, 0644);
  const RunResult r = run_exec({"--secret-file", path_template, "--json", "--", "echo", printed});
  unlink(path_template);
  const auto v = verdict(r);
  const std::string out = v["stdout"]["text"];
  EXPECT_EQ(out.find("secret-value-"), std::string::npos) << out;
  EXPECT_EQ(v["redactions"]["S0"], 1);
  EXPECT_EQ(v["redactions"]["S450"], 1);
  EXPECT_EQ(v["redactions"]["S1"], 0);
  EXPECT_EQ(v["redactions"].size(), 500u);
}

}  // namespace
