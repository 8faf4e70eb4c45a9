// The escape suite as tests: one `sbx selftest --json` run (every attack once without sbx, once
// inside it), then one test per attack, registered at start-up from that report. An attack
// that also failed without sbx is a visible skip: it proves nothing on this host. Plus tests of
// the suite itself: a deliberately weakened policy must be caught.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "host.h"
#include "sbx_runner.h"

using ::testing::HasSubstr;

namespace sbx::e2e {
namespace {

using namespace std::chrono_literals;

std::string test_name(std::string name) {
  for (char& c : name) {
    if (c == '.' || c == '-') c = '_';
  }
  return name;
}

class AttackTest : public ::testing::Test {
 public:
  explicit AttackTest(nlohmann::json row) : row_(std::move(row)) {}
  void TestBody() override {
    const std::string name = row_["name"];
    const std::string goal = row_["goal"];
    const auto& control = row_["control"];
    const auto& sandbox = row_["sandbox"];
    EXPECT_FALSE(sandbox["error"].get<bool>()) << name << ": sbx could not run it: " << sandbox["detail"];
    EXPECT_FALSE(sandbox["escaped"].get<bool>())
        << name << " ESCAPED (" << goal << "): " << sandbox["detail"].get<std::string>();
    if (!control["escaped"].get<bool>() && !sandbox["escaped"].get<bool>()) {
      GTEST_SKIP() << "not demonstrable here (failed without sbx too: " << control["detail"].get<std::string>() << ")";
    }
  }

 private:
  nlohmann::json row_;
};

class SuiteFailed : public ::testing::Test {
 public:
  explicit SuiteFailed(std::string why) : why_(std::move(why)) {}
  void TestBody() override { FAIL() << why_; }

 private:
  std::string why_;
};

// Registers one test per attack from a selftest report; with `listing_only`, from --list (fast,
// for --gtest_list_tests) instead of a full run.
void register_attacks(bool listing_only) {
  if (listing_only) {
    auto list = run_sbx({"selftest", "--list"});
    std::istringstream lines(list.out);
    for (std::string line; std::getline(lines, line);) {
      const std::string name = line.substr(0, line.find(' '));
      const std::string category = name.substr(0, name.find('.'));
      ::testing::RegisterTest(("Escape_" + category).c_str(), test_name(name).c_str(), nullptr, nullptr, __FILE__,
                              __LINE__, [] { return static_cast<::testing::Test*>(new SuiteFailed("listing only")); });
    }
    return;
  }
  RunOptions options;
  options.timeout = 300s;
  auto r = run_sbx({"selftest", "--json"}, options);
  const auto report = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (!report.is_object() || !report.contains("attacks")) {
    const std::string why = "sbx selftest --json gave no report: " + r.err.substr(0, 2000);
    ::testing::RegisterTest("Escape", "SuiteRan", nullptr, nullptr, __FILE__, __LINE__,
                            [why] { return static_cast<::testing::Test*>(new SuiteFailed(why)); });
    return;
  }
  for (const auto& row : report["attacks"]) {
    const std::string name = row["name"];
    const std::string category = row["category"];
    ::testing::RegisterTest(("Escape_" + category).c_str(), test_name(name).c_str(), nullptr, nullptr, __FILE__,
                            __LINE__, [row] { return static_cast<::testing::Test*>(new AttackTest(row)); });
  }
}

// ---- The suite itself -------------------------------------------------------------------------

TEST(Selftest, ListsAtLeastFiftyAttacksInEveryCategory) {
  auto r = run_sbx({"selftest", "--list"});
  ASSERT_EQ(r.exit_code, 0) << r;
  std::map<std::string, int> per_category;
  std::istringstream lines(r.out);
  int total = 0;
  for (std::string line; std::getline(lines, line); ++total) ++per_category[line.substr(0, line.find('.'))];
  EXPECT_GE(total, 50);
  for (const char* category : {"fs", "proc", "res", "net", "kernel", "leak"}) {
    EXPECT_GE(per_category[category], 3) << category;
  }
}

// A policy that lets the keyring and the host's network through must be reported as escaped:
// the suite can tell a weak sandbox from a strong one.
TEST(Selftest, CatchesADeliberatelyWeakenedPolicy) {
  TempDir dir;
  const std::string policy = dir.path() + "/weak.yaml";
  std::ofstream(policy) << "extends: default\nnetwork: host\nseccomp:\n  allow: [add_key, keyctl]\n";
  RunOptions options;
  options.timeout = 120s;
  auto r = run_sbx({"selftest", "--policy", policy, "--only", "k", "--json"}, options);
  EXPECT_EQ(r.exit_code, 1) << r;
  const auto report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r;
  std::map<std::string, std::string> results;
  for (const auto& row : report["attacks"]) results[row["name"]] = row["result"];
  EXPECT_EQ(results["kernel.keyctl"], "fail");
  EXPECT_EQ(results["net.tcp-loopback"], "fail");
  EXPECT_EQ(results["kernel.bpf"] == "fail", false) << "bpf stays denied";
  EXPECT_EQ(report["policy"], policy);
}

// The attacks run in the suite's own directory; a policy file named relative to the caller's
// is still the one used.
TEST(Selftest, APolicyFileRelativeToTheCaller) {
  TempDir dir;
  std::ofstream(dir / "mine.yaml") << "extends: default\nidentity: {hostname: relative-policy}\n";
  RunOptions options;
  options.timeout = 60s;
  options.cwd = dir.path();
  auto r = run_sbx({"selftest", "--policy", "./mine.yaml", "--only", "fs.proc", "--json"}, options);
  EXPECT_EQ(r.exit_code, 0) << r;
  const auto report = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r;
  EXPECT_EQ(report["passed"], 2) << r;
  EXPECT_EQ(report["failed"], 0) << r;
}

TEST(Selftest, PrintsTheTableTheLayersAndTheCounts) {
  RunOptions options;
  options.timeout = 60s;
  auto r = run_sbx({"selftest", "--only", "fs.proc"}, options);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("fs.proc-self-root"));
  EXPECT_THAT(r.out, HasSubstr("layers:"));
  EXPECT_THAT(r.out, HasSubstr("seccomp: on"));
  EXPECT_THAT(r.out, HasSubstr("2 passed, 0 failed"));
}

std::set<std::string> selftest_dirs_in_tmp() {
  std::set<std::string> found;
  for (const auto& name : dir_entries("/tmp")) {
    if (name.rfind("sbx-selftest-", 0) == 0) found.insert(name);
  }
  return found;
}

// The overlay attack's control run leaves overlayfs's work/work directory mode 000, which an
// ordinary user cannot list: the suite's own directory must go all the same.
TEST(Selftest, LeavesNothingInTmp) {
  const auto before = selftest_dirs_in_tmp();
  RunOptions options;
  options.timeout = 60s;
  auto r = run_sbx({"selftest", "--only", "kernel.mount-overlay"}, options);
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("1 passed, 0 failed"));
  for (const auto& name : selftest_dirs_in_tmp()) EXPECT_TRUE(before.count(name)) << "/tmp/" << name << " was left";
}

TEST(Selftest, BadInputIsAUsageError) {
  auto none = run_sbx({"selftest", "--only", "no-such-attack"});
  EXPECT_EQ(none.exit_code, 125) << none;
  EXPECT_THAT(none.err, HasSubstr("--only no-such-attack"));
  auto policy = run_sbx({"selftest", "--policy", "/nonexistent/policy.yaml", "--only", "fs.read"});
  EXPECT_EQ(policy.exit_code, 125) << policy;
  auto attack = run_sbx({"selftest", "--attack", "fs.nothing", "--targets", "{}"});
  EXPECT_EQ(attack.exit_code, 125) << attack;
}

}  // namespace
}  // namespace sbx::e2e

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  bool listing = ::testing::GTEST_FLAG(list_tests);
  // A filter that selects none of the attacks (e.g. Selftest.*) skips the 1-minute run.
  const std::string filter = ::testing::GTEST_FLAG(filter);
  const bool attacks_wanted = filter == "*" || filter.find("Escape") != std::string::npos;
  if (listing || attacks_wanted) sbx::e2e::register_attacks(listing);
  return RUN_ALL_TESTS();
}
