// `sbx doctor` from outside: exit status, the JSON report checked against what this test can
// find out by itself, the text layout, bad flags, and the userns hint of a failed sbx exec.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "landlock/abi.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string sbx_binary() {
  const char* env = std::getenv("SBX_BINARY");
  return env != nullptr ? env : SBX_BINARY;
}

struct SbxRun {
  int status = -1;  // exit status, or 128+signal
  std::string out;
  std::string err;
};

// Runs sbx ARGS with stdin from /dev/null, killed after 30 s. `filter`, when given, is installed
// as a seccomp filter in the child before it execs sbx.
SbxRun run_sbx(const std::vector<std::string>& args, const sock_fprog* filter = nullptr) {
  int out_pipe[2], err_pipe[2];
  EXPECT_EQ(pipe2(out_pipe, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(err_pipe, O_CLOEXEC), 0);
  std::vector<std::string> full = {sbx_binary()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (chdir("/tmp") != 0) _exit(126);
    if (filter != nullptr && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
                              syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, filter) != 0)) {
      _exit(126);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  SbxRun r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_count = 2;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (open_count > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      ADD_FAILURE() << "sbx did not finish within 30 s";
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

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// 0 when this test process (same user as sbx) can create a user namespace, else the errno.
int direct_userns_attempt() {
  const pid_t pid = fork();
  if (pid == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

nlohmann::json find_check(const nlohmann::json& report, const std::string& id) {
  for (const auto& c : report.at("checks")) {
    if (c.at("id") == id) return c;
  }
  ADD_FAILURE() << "no check with id " << id;
  return nlohmann::json::object();
}

TEST(DoctorE2e, JsonReportMatchesThisHost) {
  const SbxRun r = run_sbx({"doctor", "--json"});
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
  EXPECT_EQ(r.status, any_missing ? 1 : 0);
  for (const char* id : {"kernel", "userns", "userns.sysctl", "landlock", "seccomp", "cgroup2",
                         "syscall.clone3", "syscall.pidfd_open", "syscall.close_range", "syscall.openat2",
                         "syscall.open_tree", "syscall.move_mount", "syscall.fsopen",
                         "syscall.pidfd_send_signal", "info.unprivileged_bpf", "info.legacy_tiocsti"}) {
    EXPECT_TRUE(ids.count(id)) << "missing check " << id;
  }

  // Cross-checks with what this test finds by itself, as the same user.
  const int userns_err = direct_userns_attempt();
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
  const SbxRun json_run = run_sbx({"doctor", "--json"});
  const auto report = nlohmann::json::parse(json_run.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << json_run.out;
  const SbxRun r = run_sbx({"doctor"});
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.status, json_run.status);

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
    const SbxRun r = run_sbx(args);
    EXPECT_EQ(r.status, 125) << args.back();
    EXPECT_EQ(r.out, "") << args.back();
    const auto err = lines_of(r.err);
    ASSERT_EQ(err.size(), 1u) << r.err;
    EXPECT_THAT(err[0], StartsWith("sbx: error: doctor: "));
  }
  EXPECT_THAT(run_sbx({"doctor", "--bogus"}).err, HasSubstr("--bogus"));
}

TEST(DoctorE2e, HelpPrintsUsage) {
  const SbxRun r = run_sbx({"doctor", "--help"});
  EXPECT_EQ(r.status, 0);
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
  const SbxRun r = run_sbx({"exec", "--no-workspace", "--", "/bin/true"}, &prog);
  ASSERT_NE(r.status, 126) << "could not install the test filter";
  EXPECT_EQ(r.status, 125) << r.err;
  const auto err = lines_of(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_THAT(err[0], StartsWith("sbx: error: "));
  EXPECT_THAT(err[0], HasSubstr("Operation not permitted"));
  EXPECT_THAT(err[0], HasSubstr("user namespaces"));  // the doctor's cause, whichever knob it names
  EXPECT_THAT(err[0], HasSubstr("; fix: "));
}

}  // namespace
