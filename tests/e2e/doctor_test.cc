// `sbx doctor` from outside: exit status, the JSON report checked against what this test can
// find out by itself, the text layout, bad flags, and the userns hint of a failed sbx exec.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "landlock/abi.h"
#include "sbx_runner.h"
#include "userns_attempt.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using sbx::e2e::RunResult;

// sbx ARGS from /tmp with stdin from /dev/null, killed after 30 s. `filter`, when given, is
// installed as a seccomp filter in the child before it execs sbx.
RunResult run_sbx(const std::vector<std::string>& args, const sock_fprog* filter = nullptr) {
  sbx::e2e::RunOptions options;
  options.cwd = "/tmp";
  options.timeout = std::chrono::seconds(30);
  options.seccomp_filter = filter;
  return sbx::e2e::run_sbx(args, options);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

nlohmann::json find_check(const nlohmann::json& report, const std::string& id) {
  for (const auto& c : report.at("checks")) {
    if (c.at("id") == id) return c;
  }
  ADD_FAILURE() << "no check with id " << id;
  return nlohmann::json::object();
}

TEST(DoctorE2e, JsonReportMatchesThisHost) {
  const RunResult r = run_sbx({"doctor", "--json"});
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(lines_of(r.out).size(), 1u) << "one JSON object on one line:\n" << r.out;
  const auto report = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_object()) << r.out;
  ASSERT_TRUE(report.at("usable").is_boolean());
  EXPECT_EQ(report.at("sbx_version"), SBX_VERSION);
  ASSERT_TRUE(report.at("checks").is_array());

  bool any_missing = false;
  std::set<std::string> ids;
  for (const auto& c : report.at("checks")) {
    ASSERT_TRUE(c.is_object());
    for (const char* key : {"id", "title", "status", "detail", "fix"}) {
      ASSERT_TRUE(c.contains(key) && c.at(key).is_string()) << key << " in " << c.dump();
    }
    const std::string status = c.at("status");
    EXPECT_TRUE(status == "ok" || status == "warn" || status == "missing") << c.dump();
    EXPECT_EQ(c.at("fix") == "", status == "ok") << "a fix exactly for rows that are not ok: " << c.dump();
    any_missing = any_missing || status == "missing";
    ids.insert(c.at("id").get<std::string>());
  }
  EXPECT_EQ(report.at("usable"), !any_missing);
  EXPECT_EQ(r.status(), any_missing ? 1 : 0);
  for (const char* id : {"kernel", "userns", "userns.sysctl", "landlock", "seccomp", "cgroup2",
                         "syscall.clone3", "syscall.pidfd_open", "syscall.close_range", "syscall.openat2",
                         "syscall.open_tree", "syscall.move_mount", "syscall.fsopen",
                         "syscall.pidfd_send_signal", "info.unprivileged_bpf", "info.legacy_tiocsti"}) {
    EXPECT_TRUE(ids.count(id)) << "missing check " << id;
  }

  // Cross-checks with what this test finds by itself, as the same user.
  const int userns_err = sbx::testing::direct_userns_attempt();
  EXPECT_EQ(find_check(report, "userns").at("status"), userns_err == 0 ? "ok" : "missing");
  const int abi = sbx::landlock::probe_abi();
  const auto landlock = find_check(report, "landlock");
  if (abi > 0) {
    EXPECT_EQ(landlock.at("status"), "ok");
    EXPECT_THAT(landlock.at("detail").get<std::string>(), StartsWith("ABI " + std::to_string(abi) + ":"));
  } else {
    EXPECT_EQ(landlock.at("status"), "missing");
  }
  // Optional cgroup limits never decide usability.
  EXPECT_NE(find_check(report, "cgroup2").at("status"), "missing");
}

TEST(DoctorE2e, TextReportIsAlignedAndAgreesWithJson) {
  const RunResult json_run = run_sbx({"doctor", "--json"});
  const auto report = nlohmann::json::parse(json_run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << json_run.out;
  const RunResult r = run_sbx({"doctor"});
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.status(), json_run.status());

  const auto lines = lines_of(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines.back(), StartsWith(report.at("usable") == true ? "verdict: usable:" : "verdict: not usable:"));

  size_t row = 0;
  size_t title_column = std::string::npos;
  const auto& checks = report.at("checks");
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.find_first_not_of(' ') != 0) {
      EXPECT_THAT(line.substr(line.find_first_not_of(' ')), StartsWith("fix: ")) << line;
      ASSERT_GT(row, 0u);
      EXPECT_EQ(line.find("fix: "), title_column) << "fix lines start under the title column";
      EXPECT_NE(checks[row - 1].at("status"), "ok");
      continue;
    }
    ASSERT_LT(row, checks.size()) << line;
    const std::string status = checks[row].at("status");
    const std::string title = checks[row].at("title");
    EXPECT_THAT(line, StartsWith(status + " ")) << line;
    const size_t at = line.find(title, status.size());
    ASSERT_NE(at, std::string::npos) << line;
    if (title_column == std::string::npos) title_column = at;
    EXPECT_EQ(at, title_column) << "titles are aligned: " << line;
    EXPECT_THAT(line, HasSubstr(checks[row].at("detail").get<std::string>()));
    ++row;
  }
  EXPECT_EQ(row, checks.size());
}

TEST(DoctorE2e, BadFlagIsOneErrorLineAnd125) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"doctor", "--bogus"}, {"doctor", "--json=yes"}, {"doctor", "extra"}}) {
    const RunResult r = run_sbx(args);
    EXPECT_EQ(r.status(), 125) << args.back();
    EXPECT_EQ(r.out, "") << args.back();
    const auto err = lines_of(r.err);
    ASSERT_EQ(err.size(), 1u) << r.err;
    EXPECT_THAT(err[0], StartsWith("sbx: error: doctor: "));
  }
  EXPECT_THAT(run_sbx({"doctor", "--bogus"}).err, HasSubstr("--bogus"));
}

TEST(DoctorE2e, HelpPrintsUsage) {
  const RunResult r = run_sbx({"doctor", "--help"});
  EXPECT_EQ(r.status(), 0);
  EXPECT_THAT(r.out, StartsWith("Usage: sbx doctor [--json]\n"));
  EXPECT_THAT(r.out, HasSubstr("--json"));
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(run_sbx({"doctor", "-h"}).out, r.out);
}

// clone3 -> EPERM, everything else allowed: sbx exec then fails exactly where a host that
// forbids user namespaces makes it fail, and must say why and how to fix it on one line.
TEST(DoctorE2e, ExecExplainsARefusedUserNamespace) {
  static const sock_filter kDenyClone3[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  const sock_fprog prog{static_cast<unsigned short>(std::size(kDenyClone3)),
                        const_cast<sock_filter*>(kDenyClone3)};
  const RunResult r = run_sbx({"exec", "--no-workspace", "--", "/bin/true"}, &prog);
  ASSERT_NE(r.status(), 123) << "could not install the test filter";  // sbx_runner's exit for it
  EXPECT_EQ(r.status(), 125) << r.err;
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_THAT(err[0], StartsWith("sbx: error: "));
  EXPECT_THAT(err[0], HasSubstr("Operation not permitted"));
  EXPECT_THAT(err[0], HasSubstr("user namespaces"));  // the doctor's cause, whichever knob it names
  EXPECT_THAT(err[0], HasSubstr("; fix: "));
}

}  // namespace
