// Printing a policy and loading what was printed gives the same policy (YAML and JSON), for every
// shipped policy and for values chosen to trip up a YAML writer. The shipped policies keep the
// promises their comments make.
#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "base/sha256.h"
#include "policy/defaults.h"
#include "policy/load.h"
#include "policy/search_path.h"
#include "policy/serialize.h"
#include "policy_test_doc.h"

namespace sbx::policy {
namespace {

using ::testing::HasSubstr;

std::string policies_dir() {
  const char* env = std::getenv("SBX_SOURCE_DIR");
  return std::string(env != nullptr ? env : SBX_SOURCE_DIR) + "/policies";
}

std::vector<std::string> shipped_names() {
  std::vector<std::string> names;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(policies_dir().c_str()), ::closedir);
  if (!d) return names;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string file = e->d_name;
    if (file.size() > 5 && file.substr(file.size() - 5) == ".yaml") names.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

Policy load_shipped(const std::string& name) {
  auto loaded = load_policy(name, {{policies_dir(), "test"}}, "/");
  EXPECT_TRUE(loaded.has_value()) << loaded.error().message;
  return loaded.has_value() ? std::move(loaded->policy) : Policy{};
}

// Loads `p` printed as YAML and as JSON, and checks both give `p` back, and that printing the
// reloaded policy gives the same text (a fixed point).
void expect_round_trip(const Policy& p) {
  const std::string yaml = policy_to_yaml(p, "header line");
  auto from_yaml = load_policy_text(yaml, "shown.yaml");
  ASSERT_TRUE(from_yaml.has_value()) << from_yaml.error().message << "\n" << yaml;
  EXPECT_EQ(canonical_policy_json(from_yaml->policy), canonical_policy_json(p)) << yaml;
  EXPECT_EQ(policy_to_yaml(from_yaml->policy, "header line"), yaml);

  const std::string json = canonical_policy_json(p);
  auto from_json = load_policy_text(json, "shown.json");
  ASSERT_TRUE(from_json.has_value()) << from_json.error().message << "\n" << json;
  EXPECT_EQ(canonical_policy_json(from_json->policy), json);
}

TEST(ShippedPolicies, TheDocumentedOnesArePresent) {
  const auto names = shipped_names();
  for (const char* name : {"default", "python", "node", "bash", "build", "go", "rust", "java", "r", "strict", "network"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name << ".yaml is missing";
  }
}

TEST(ShippedPolicies, EachRoundTripsThroughYamlAndJson) {
  const auto names = shipped_names();
  ASSERT_FALSE(names.empty()) << "no policies in " << policies_dir();
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const Policy p = load_shipped(name);
    EXPECT_EQ(p.name, name);
    expect_round_trip(p);
  }
}

TEST(ShippedPolicies, DefaultYamlIsWhatExecDoesWithoutAPolicy) {
  EXPECT_EQ(canonical_policy_json(load_shipped("default")), canonical_policy_json(default_policy()));
}

TEST(ShippedPolicies, StrictIsStrict) {
  const Policy p = load_shipped("strict");
  EXPECT_TRUE(p.read_only);
  ASSERT_EQ(p.tmpfs.size(), 1u);
  EXPECT_EQ(p.tmpfs[0].target, "/tmp");
  EXPECT_TRUE(p.binds.empty());
  EXPECT_FALSE(p.workspace_writable);
  EXPECT_EQ(p.network, NetworkMode::kNone);
  EXPECT_EQ(p.landlock, Enforcement::kRequired);
  EXPECT_EQ(p.seccomp, Enforcement::kRequired);
  EXPECT_EQ(p.seccomp_rules.deny_action, SeccompDenyAction::kKill);
  EXPECT_THAT(p.seccomp_rules.deny_socket_families, ::testing::IsSupersetOf({AF_INET, AF_INET6}));
  ASSERT_TRUE(p.limits.timeout.has_value());
  EXPECT_LE(*p.limits.timeout, std::chrono::minutes(5));
  EXPECT_LE(p.limits.output_limit_bytes, 1u << 20);
  EXPECT_TRUE(p.limits.cpu_seconds.has_value());
  for (int resource : {RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_CORE}) {
    const auto it = std::find_if(p.rlimits.begin(), p.rlimits.end(), [&](const Rlimit& r) { return r.resource == resource; });
    ASSERT_NE(it, p.rlimits.end()) << "strict sets no rlimit " << resource;
    EXPECT_NE(it->hard, static_cast<uint64_t>(RLIM_INFINITY));
  }
}

TEST(ShippedPolicies, OnlyTheNetworkExampleOpensTheNetwork) {
  for (const auto& name : shipped_names()) {
    EXPECT_EQ(load_shipped(name).network == NetworkMode::kHost, name == "network") << name;
    EXPECT_NE(load_shipped(name).network, NetworkMode::kLoopback) << name << ": TCP stays denied";
  }
}

TEST(PolicyRoundTrip, EachNetworkMode) {
  for (const char* mode : {"none", "loopback", "host"}) {
    auto loaded = load_policy_text(std::string("network: ") + mode + "\n", "net.yaml");
    ASSERT_TRUE(loaded.has_value()) << mode << ": " << loaded.error().message;
    EXPECT_EQ(canonical_policy_json(loaded->policy).find(std::string("\"network\":\"") + mode + "\""),
              canonical_policy_json(loaded->policy).find("\"network\":"))
        << mode;
    expect_round_trip(loaded->policy);
  }
  auto bad = load_policy_text("network: bridge\n", "net.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, ::testing::HasSubstr("none, loopback, host"));
}

TEST(ShippedPolicies, EverySecurityLayerIsRequired) {
  for (const auto& name : shipped_names()) {
    const Policy p = load_shipped(name);
    EXPECT_EQ(p.landlock, Enforcement::kRequired) << name;
    EXPECT_EQ(p.seccomp, Enforcement::kRequired) << name;
    EXPECT_EQ(p.limits.cgroup, Enforcement::kRequired) << name;
  }
}

TEST(PolicyRoundTrip, EveryKeySet) {
  auto loaded = load_policy_text(testing::full_policy(), "full.yaml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  expect_round_trip(loaded->policy);
  // And the values are what the file says.
  const Policy& p = loaded->policy;
  EXPECT_EQ(p.uid, 1001u);
  EXPECT_EQ(p.user_name, "builder");
  EXPECT_FALSE(p.mount_workspace);
  EXPECT_EQ(p.workdir, "/work");
  ASSERT_EQ(p.binds.size(), 1u);
  EXPECT_EQ(p.binds[0].source, "/srv/data");
  EXPECT_FALSE(p.binds[0].read_only);
  EXPECT_EQ(p.binds[0].origin, "full.yaml:15:7: filesystem.mounts[0]");
  EXPECT_EQ(p.tmpfs[0].size_bytes, 32u << 20);
  EXPECT_EQ(p.env_pass, (std::vector<std::string>{"TERM", "COLORTERM"}));
  EXPECT_EQ(p.limits.cpus, 1.5);
  EXPECT_EQ(p.limits.memory_bytes, 512u << 20);
  EXPECT_EQ(p.limits.cpu_seconds, 30u);
  EXPECT_EQ(p.limits.cgroup_parent, "/sys/fs/cgroup/sbx");
  EXPECT_EQ(p.seccomp_rules.deny_ioctls, (std::vector<uint64_t>{0x5423}));
  EXPECT_EQ(p.secrets_pass, (std::vector<std::string>{"API_TOKEN"}));
  const auto nproc = std::find_if(p.rlimits.begin(), p.rlimits.end(), [](const Rlimit& r) { return r.resource == RLIMIT_NPROC; });
  ASSERT_NE(nproc, p.rlimits.end());
  EXPECT_EQ(nproc->soft, 256u);
  EXPECT_EQ(nproc->hard, 512u);
}

TEST(PolicyRoundTrip, ValuesAYamlWriterCouldGetWrong) {
  Policy p = default_policy();
  p.hostname = "1024";
  p.user_name = "a.b";
  p.workdir = "/with space/x";
  p.binds.push_back({"/srv/my data: #1", "/x y", true, "t"});
  p.binds.push_back({"/srv/true", "/null", false, "t"});
  p.tmpfs.push_back({"/~", 1536 * 1024, "t"});
  for (const char* value : {"true", "1024", "", "a: b", "#x", " lead", "trail ", "line\nbreak", "\xc3\xa9t\xc3\xa9",
                            "none", "~", "null", "[x]", "{y}", "'q'", "\"dq\"", "- item", "0x10", "1e3", "yes", "*a",
                            "&b", "!tag", "%x", "@x", "`x", "a\tb", "\\back",
                            // Found by tests/fuzz/fuzz_cli: control bytes, a trailing \r above all.
                            "cr\r", "a\rb\r", "\x1b[0m", "bell\x07", "del\x7f", "\r\n", "trail\n"}) {
    p.env.push_back({"V" + std::to_string(p.env.size()), value});
  }
  p.env_pass = {"A", "B_2"};
  p.rlimits.push_back({RLIMIT_NPROC, 10, RLIM_INFINITY});
  p.rlimits.push_back({RLIMIT_FSIZE, 1536, 1u << 30});
  p.rlimits.push_back({RLIMIT_STACK, RLIM_INFINITY, RLIM_INFINITY});
  p.rlimits.push_back({RLIMIT_CPU, 7, 7});
  p.seccomp_rules.deny = {"chmod", "fchmod"};
  p.seccomp_rules.deny_ioctls = {0x1234, 0, 0x5412};
  p.seccomp_rules.deny_socket_families = {AF_BLUETOOTH};
  p.limits.timeout = std::chrono::nanoseconds(1);
  p.limits.kill_after = std::chrono::milliseconds(1500);
  p.limits.cpu_seconds = 86400;
  p.limits.output_limit_bytes = 1500;
  p.limits.cpus = 0.1;
  p.limits.pids = 4194304;
  p.limits.memory_bytes = 3ull << 30;
  p.secrets_pass = {"TOKEN"};
  p.redact_env = {"PASSWORD"};
  expect_round_trip(p);
  for (double cpus : {0.01, 1.0 / 3, 2.0, 4096.0, 0.3}) {
    p.limits.cpus = cpus;
    expect_round_trip(p);
  }
  for (int64_t ns : {int64_t{999}, int64_t{1'000'001}, int64_t{59'000'000'000}, int64_t{3'600'000'000'001}}) {
    p.limits.timeout = std::chrono::nanoseconds(ns);
    expect_round_trip(p);
  }
}

TEST(PolicyHash, IsTheSha256OfTheCanonicalJson) {
  const Policy p = default_policy();
  EXPECT_EQ(policy_sha256(p), sha256_hex(canonical_policy_json(p)));
  EXPECT_EQ(policy_sha256(p).size(), 64u);
}

TEST(PolicyHash, ChangesWithContentNotWithTheName) {
  Policy a = default_policy();
  Policy b = default_policy();
  b.name = "other";
  EXPECT_EQ(policy_sha256(a), policy_sha256(b));
  b.limits.output_limit_bytes += 1024;
  EXPECT_NE(policy_sha256(a), policy_sha256(b));
  Policy c = default_policy();
  c.seccomp_rules.deny = {"chmod"};
  EXPECT_NE(policy_sha256(a), policy_sha256(c));
}

TEST(PolicyHash, NeverContainsASecretValue) {
  Policy p = default_policy();
  p.secrets.push_back({"API_TOKEN", "s3cr3t-value-123", true});
  p.secrets.push_back({"redact-1", "another-s3cret", false});
  const std::string json = canonical_policy_json(p);
  EXPECT_THAT(json, HasSubstr("API_TOKEN"));
  EXPECT_EQ(json.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(policy_to_yaml(p).find("s3cr3t"), std::string::npos);
}

TEST(PolicyYaml, IsReadable) {
  const std::string yaml = policy_to_yaml(default_policy(), "policy default\nsha256 x");
  EXPECT_THAT(yaml, ::testing::StartsWith("# policy default\n# sha256 x\nrootfs: host\n"));
  EXPECT_THAT(yaml, HasSubstr("  pass: [TERM]\n"));
  EXPECT_THAT(yaml, HasSubstr("  timeout: none\n"));
  EXPECT_THAT(yaml, HasSubstr("  kill_after: 5s\n"));
  EXPECT_THAT(yaml, HasSubstr("  output: 16m\n"));
  EXPECT_THAT(yaml, HasSubstr("  mounts: []\n"));
}

}  // namespace
}  // namespace sbx::policy
