// `run` parameters: every bad field is refused with a message naming it; caller limits cap and
// default; the worker's command line carries the run but never a secret.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rpc/caller_limits.h"
#include "rpc/run_request.h"
#include "rpc/worker_command.h"

namespace sbx::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string error_of(const std::string& params) {
  auto r = parse_run_params(Json::parse(params));
  return r ? std::string("(accepted)") : r.error().message;
}

TEST(RunParamsTest, RefusesBadFieldsNamingThem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({})", "missing the command"},
      {R"({"argv": []})", "params.argv: must name a command"},
      {R"({"argv": "ls"})", "params.argv: expected an array of strings, got string"},
      {R"({"argv": ["ls", 3]})", "params.argv[1]: expected a string, got integer"},
      {R"({"argv": [""]})", "params.argv[0]"},
      {R"({"argv": ["ls"], "language": "python", "code": "x"})", "not both"},
      {R"({"language": "python"})", "missing the command"},
      {R"({"language": 1, "code": "x"})", "params.language: expected a string, got integer"},
      {R"({"argv": ["ls"], "argvv": 1})", "params.argvv: unknown field"},
      {R"({"argv": ["ls"], "stdin": 5})", "params.stdin: expected a string"},
      {R"({"argv": ["ls"], "stdin_base64": "@@@@"})", "params.stdin_base64: invalid base64"},
      {R"({"argv": ["ls"], "stdin": "a", "stdin_base64": "YQ=="})", "not both"},
      {R"({"argv": ["ls"], "files": {}})", "params.files: expected an array"},
      {R"({"argv": ["ls"], "files": [{"path": "/etc/passwd", "text": ""}]})", "params.files[0].path: must be relative"},
      {R"({"argv": ["ls"], "files": [{"path": "a/../../x", "text": ""}]})", "params.files[0].path: must not contain"},
      {R"({"argv": ["ls"], "files": [{"path": "a", "text": "", "base64": ""}]})", "params.files[0]: give exactly one"},
      {R"({"argv": ["ls"], "files": [{"path": "a", "text": "", "mode": 7}]})", "params.files[0].mode: unknown field"},
      {R"({"argv": ["ls"], "files": [{"path": "a", "text": ""}, {"path": "./a", "text": ""}]})", "params.files[1].path: \"a\" is given twice"},
      {R"({"argv": ["ls"], "files": [{"path": "a", "text": ""}, {"path": "a/b", "text": ""}]})", "cannot both be files"},
      {R"({"argv": ["ls"], "env": {"1BAD": "x"}})", "params.env.1BAD: not a valid name"},
      {R"({"argv": ["ls"], "env": {"OK": 1}})", "params.env.OK: expected a string, got integer"},
      {R"({"argv": ["ls"], "env": ["A=1"]})", "params.env: expected an object"},
      {R"({"argv": ["ls"], "secrets": {"TOKEN": "short"}})", "params.secrets.TOKEN: shorter than 6 bytes"},
      {R"({"argv": ["ls"], "secrets": {"TOKEN": "two\nlines"}})", "params.secrets.TOKEN: must be one line"},
      {R"({"argv": ["ls"], "network": "internet"})", "params.network: expected one of \"none\", \"loopback\", \"host\""},
      {R"({"argv": ["ls"], "workdir": "rel"})", "params.workdir"},
      {R"({"argv": ["ls"], "uid": -1})", "params.uid: must be from 0"},
      {R"({"argv": ["ls"], "read_only": "yes"})", "params.read_only: expected true or false"},
      {R"({"argv": ["ls"], "limits": {"timeout": 0}})", "params.limits.timeout: must be above zero"},
      {R"({"argv": ["ls"], "limits": {"timeout": "soon"}})", "params.limits.timeout:"},
      {R"({"argv": ["ls"], "limits": {"timeout": true}})", "params.limits.timeout: expected a number of seconds"},
      {R"({"argv": ["ls"], "limits": {"memory": "1k"}})", "params.limits.memory: must be at least 1m"},
      {R"({"argv": ["ls"], "limits": {"memory": -5}})", "params.limits.memory: must not be negative"},
      {R"({"argv": ["ls"], "limits": {"pids": 0}})", "params.limits.pids: must be from 1"},
      {R"({"argv": ["ls"], "limits": {"cpus": "two"}})", "params.limits.cpus: expected a number"},
      {R"({"argv": ["ls"], "limits": {"walltime": 1}})", "params.limits.walltime: unknown field"},
      {R"({"argv": ["ls"], "limits": {"on_output_limit": "explode"}})", "params.limits.on_output_limit"},
      {R"({"argv": ["ls"], "stream": 1})", "params.stream: expected true or false"},
      {R"({"argv": ["ls"], "tmpfs": ["/a\u0000b"]})", "params.tmpfs[0]: contains a NUL byte"},
  };
  for (const auto& [params, says] : cases) {
    EXPECT_THAT(error_of(params), HasSubstr(says)) << params;
  }
  EXPECT_THAT(error_of(R"([1])"), HasSubstr("params: expected an object"));
}

TEST(RunParamsTest, AcceptsAFullRequest) {
  auto r = parse_run_params(Json::parse(R"json({
    "language": "python", "code": "print(1)", "stdin_base64": "aGk=",
    "files": [{"path": "./data//in.txt", "text": "x"}, {"path": "bin/run", "base64": "AAE=", "executable": true}],
    "env": {"A": "1"}, "secrets": {"TOKEN": "s3cret-value"}, "policy": "default", "network": "none",
    "workdir": "/workspace/data/", "limits": {"timeout": "1.5s", "memory": "64m", "pids": 10, "cpus": 0.5,
    "output_limit": 4096, "on_output_limit": "kill", "cgroup": "best-effort"}, "stream": true})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->stdin_data, "hi");
  ASSERT_EQ(r->files.size(), 2u);
  EXPECT_EQ(r->files[0].path, "data/in.txt");
  EXPECT_EQ(r->files[1].content, std::string("\x00\x01", 2));
  EXPECT_TRUE(r->files[1].executable);
  EXPECT_EQ(r->workdir, "/workspace/data");
  EXPECT_EQ(r->limits.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(r->limits.memory, 64u << 20);
  EXPECT_TRUE(r->stream);
}

TEST(RunParamsTest, BoundsAreEnforced) {
  RequestBounds small;
  small.max_files = 1;
  small.max_stdin_bytes = 3;
  auto too_many = parse_run_params(
      Json::parse(R"({"argv":["x"],"files":[{"path":"a","text":""},{"path":"b","text":""}]})"), small);
  ASSERT_FALSE(too_many);
  EXPECT_THAT(too_many.error().message, HasSubstr("params.files: at most 1 files"));
  auto big_stdin = parse_run_params(Json::parse(R"({"argv":["x"],"stdin":"abcd"})"), small);
  ASSERT_FALSE(big_stdin);
  EXPECT_THAT(big_stdin.error().message, HasSubstr("params.stdin: more than 3 bytes"));
}

// execve's limits, checked when the request arrives: one string, then everything together.
TEST(RunParamsTest, ArgumentsAndEnvironmentMustFitExecve) {
  const std::string at_limit(kMaxExecStringBytes, 'a');
  Json params = {{"argv", {"sh", at_limit}}};
  EXPECT_TRUE(parse_run_params(params)) << "exactly at the limit";
  params["argv"][1] = at_limit + "a";
  auto long_arg = parse_run_params(params);
  ASSERT_FALSE(long_arg);
  EXPECT_THAT(long_arg.error().message,
              HasSubstr("params.argv[1]: 131072 bytes; one argument or variable may be at most 131071"));

  Json env = {{"argv", {"sh"}}, {"env", {{"BIG", std::string(kMaxExecStringBytes - 4, 'v')}}}};
  EXPECT_TRUE(parse_run_params(env)) << "BIG=... is exactly at the limit";
  env["env"]["BIG"] = std::string(kMaxExecStringBytes - 3, 'v');
  auto long_env = parse_run_params(env);
  ASSERT_FALSE(long_env);
  EXPECT_THAT(long_env.error().message, HasSubstr("params.env.BIG: 131072 bytes"));

  Json secrets = {{"argv", {"sh"}}, {"secrets", {{"KEY", std::string(kMaxExecStringBytes, 's')}}}};
  auto long_secret = parse_run_params(secrets);
  ASSERT_FALSE(long_secret);
  EXPECT_THAT(long_secret.error().message, HasSubstr("params.secrets.KEY: "));

  Json many = {{"argv", Json::array({"sh"})}};
  for (int i = 0; i < 9; ++i) many["argv"].push_back(std::string(120000, 'x'));
  auto total = parse_run_params(many);
  ASSERT_FALSE(total);
  EXPECT_THAT(total.error().message, HasSubstr("params: the arguments and environment come to 1080012 bytes; at most "
                                               "1048576 in all"));
}

RunRequest request(const std::string& params) {
  auto r = parse_run_params(Json::parse(params));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : RunRequest{};
}

TEST(CallerLimitsTest, CeilingsAreDefaultsAndBounds) {
  CallerLimits limits;
  limits.max_timeout = std::chrono::seconds(10);
  limits.max_memory = 256u << 20;
  limits.max_output = 1u << 20;
  RunRequest plain = request(R"({"argv":["x"]})");
  ASSERT_TRUE(apply_caller_limits(plain, limits));
  EXPECT_EQ(plain.limits.timeout, std::chrono::seconds(10));
  EXPECT_EQ(plain.limits.memory, 256u << 20);
  EXPECT_EQ(plain.limits.output_limit, 1u << 20);

  RunRequest greedy = request(R"({"argv":["x"],"limits":{"timeout":60}})");
  auto refused = apply_caller_limits(greedy, limits);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "params.limits.timeout: 60s is more than the 10s this caller may ask for");
  RunRequest hungry = request(R"({"argv":["x"],"limits":{"memory":"1g"}})");
  EXPECT_THAT(apply_caller_limits(hungry, limits).error().message,
              HasSubstr("params.limits.memory: 1g is more than the 256m"));
}

TEST(CallerLimitsTest, PoliciesRootfsNetworkAndBestEffort) {
  CallerLimits limits;
  limits.policies = std::vector<std::string>{"default", "python"};
  limits.rootfs = std::map<std::string, std::string>{{"debian", "/srv/debian"}};
  limits.allow_host_network = false;
  limits.allow_best_effort = false;
  RunRequest ok = request(R"({"argv":["x"],"policy":"python","rootfs":"debian"})");
  ASSERT_TRUE(apply_caller_limits(ok, limits));
  EXPECT_EQ(ok.rootfs, "/srv/debian");
  RunRequest p = request(R"({"argv":["x"],"policy":"networked"})");
  EXPECT_THAT(apply_caller_limits(p, limits).error().message,
              HasSubstr("params.policy: \"networked\" is not allowed for this caller (allowed: default, python)"));
  RunRequest r = request(R"({"argv":["x"],"rootfs":"/"})");
  EXPECT_THAT(apply_caller_limits(r, limits).error().message, HasSubstr("params.rootfs"));
  RunRequest n = request(R"({"argv":["x"],"network":"host"})");
  EXPECT_THAT(apply_caller_limits(n, limits).error().message, HasSubstr("params.network"));
  // The sandbox's own loopback reaches nothing of the host's: no permission needed.
  RunRequest lo = request(R"({"argv":["x"],"network":"loopback"})");
  ASSERT_TRUE(apply_caller_limits(lo, limits));
  WorkerLayout layout;
  layout.workspace_dir = "/tmp/run/workspace";
  auto c = build_worker_command(lo, layout);
  ASSERT_TRUE(c);
  std::string all;
  for (const auto& a : c->argv) all += a + " ";
  EXPECT_THAT(all, HasSubstr("--network loopback"));
  RunRequest b = request(R"({"argv":["x"],"seccomp":"best-effort"})");
  EXPECT_THAT(apply_caller_limits(b, limits).error().message, HasSubstr("params.seccomp"));
}

TEST(WorkerCommandTest, SecretsTravelByDescriptorNeverArgvOrEnv) {
  RunRequest r = request(R"({"argv":["sh","-c","echo $TOKEN"],"secrets":{"TOKEN":"hunter2-secret"},
                             "env":{"A":"b"},"limits":{"timeout":2,"memory":"8m"},"stream":true})");
  WorkerLayout layout;
  layout.workspace_dir = "/tmp/run/workspace";
  layout.secrets = true;
  auto c = build_worker_command(r, layout);
  ASSERT_TRUE(c);
  std::string all;
  for (const auto& a : c->argv) all += a + " ";
  for (const auto& e : c->env) all += e + " ";
  EXPECT_THAT(all, Not(HasSubstr("hunter2")));
  EXPECT_THAT(all, HasSubstr("--secret-file /dev/fd/4"));
  EXPECT_THAT(all, HasSubstr("--report-fd 3"));
  EXPECT_THAT(all, HasSubstr("-v /tmp/run/workspace:/workspace:rw"));
  EXPECT_THAT(all, HasSubstr("-e A=b"));
  EXPECT_THAT(all, HasSubstr("--timeout 2000ms"));
  EXPECT_THAT(all, HasSubstr("--memory 8388608"));
  EXPECT_THAT(all, HasSubstr("-- sh -c echo $TOKEN"));
  EXPECT_EQ(secrets_file_content(r.secrets), "TOKEN=hunter2-secret\n");
}

TEST(WorkerCommandTest, CodeRunsFromTheReadOnlyCodeDirectory) {
  RunRequest r = request(R"json({"language":"python3","code":"print(1)"})json");
  WorkerLayout layout;
  layout.workspace_dir = "/w";
  layout.code_dir = "/c";
  auto c = build_worker_command(r, layout);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->argv[1], "exec");
  EXPECT_EQ(c->argv[2], "--json");
  EXPECT_EQ(c->argv.back(), "/run/sbx/main.py");
  EXPECT_EQ(c->argv[c->argv.size() - 2], "python3");
  std::string all;
  for (const auto& a : c->argv) all += a + " ";
  EXPECT_THAT(all, HasSubstr("-v /c:/run/sbx:ro"));

  RunRequest unknown = request(R"({"language":"cobol","code":"x"})");
  auto refused = build_worker_command(unknown, layout);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("params.language: unknown language \"cobol\""));
}

}  // namespace
TEST(WorkerCommandTest, RunsWithLimitsGoUnderTheServicesCgroup) {
  WorkerLayout layout;
  layout.workspace_dir = "/w";
  layout.cgroup_parent = "/sys/fs/cgroup/system.slice/sbx.service";
  auto joined = [&](const char* params) {
    auto c = build_worker_command(request(params), layout);
    std::string all;
    if (c) for (const auto& a : c->argv) all += a + " ";
    return all;
  };
  EXPECT_THAT(joined(R"({"argv":["x"],"limits":{"memory":"8m"}})"),
              HasSubstr("--cgroup-parent /sys/fs/cgroup/system.slice/sbx.service"));
  EXPECT_THAT(joined(R"({"argv":["x"],"limits":{"pids":8}})"), HasSubstr("--cgroup-parent"));
  // Without a limit there is no cgroup to make.
  EXPECT_THAT(joined(R"({"argv":["x"]})"), Not(HasSubstr("--cgroup-parent")));
}

}  // namespace sbx::rpc
