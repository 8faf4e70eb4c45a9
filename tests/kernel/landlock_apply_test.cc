// Landlock on the real kernel: the parent builds a plan over temp dirs, a forked child (bounded
// by alarm) enforces it with apply_in_child and reports each probe's errno over a pipe. Every
// deny is paired with an allow so a layer that silently failed to apply cannot pass.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "landlock/abi.h"
#include "landlock/apply.h"
#include "landlock/ruleset.h"

namespace sbx::landlock {
namespace {

constexpr int kMaxChecks = 32;
constexpr unsigned kChildTimeoutSeconds = 10;
constexpr int kWrongContent = 10000;  // a probe "succeeded" but saw the wrong data

struct ChildReport {
  int applied;  // 1 when apply_in_child returned 0
  int apply_errno;
  char failed_path[128];
  int results[kMaxChecks];  // errno of each probe, 0 on success
};

struct ChildOutcome {
  bool reported = false;
  int wait_status = 0;
  ChildReport report{};
};

int errno_of(int rc) { return rc < 0 ? errno : 0; }

// Opens, then closes on success: the probe only cares whether the open is allowed.
int open_errno(const std::string& path, int flags, mode_t mode = 0644) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

// Forks; the child sets no_new_privs, enforces `plan` and runs `checks(results)`. The child
// dies by SIGALRM if anything blocks, so the parent's read always ends.
template <class Checks>
ChildOutcome run_confined(const launch::LandlockPlan& plan, Checks checks) {
  ChildOutcome outcome;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return outcome;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return outcome;
  }
  if (pid == 0) {
    ::alarm(kChildTimeoutSeconds);
    ChildReport report{};
    const char* failed = "";
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      report.apply_errno = errno;
      failed = "prctl(PR_SET_NO_NEW_PRIVS)";
    } else if (apply_in_child(plan, &failed) != 0) {
      report.apply_errno = errno;
    } else {
      report.applied = 1;
      checks(report.results);
    }
    std::strncpy(report.failed_path, failed, sizeof(report.failed_path) - 1);
    // A pipe write this small is atomic; the parent gets all or nothing.
    const ssize_t n = ::write(write_end.get(), &report, sizeof(report));
    ::_exit(n == static_cast<ssize_t>(sizeof(report)) ? 0 : 1);
  }

  write_end.reset();
  size_t got = 0;
  auto* bytes = reinterpret_cast<char*>(&outcome.report);
  while (got < sizeof(outcome.report)) {
    const ssize_t n = ::read(read_end.get(), bytes + got, sizeof(outcome.report) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  outcome.reported = got == sizeof(outcome.report);
  while (::waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

#define EXPECT_CHILD_APPLIED(outcome)                                                              \
  do {                                                                                             \
    ASSERT_TRUE((outcome).reported)                                                                \
        << "child sent no report, wait status " << (outcome).wait_status;                          \
    ASSERT_EQ((outcome).report.applied, 1) << "apply failed at " << (outcome).report.failed_path   \
                                           << ": " << std::strerror((outcome).report.apply_errno); \
    EXPECT_TRUE(WIFEXITED((outcome).wait_status) && WEXITSTATUS((outcome).wait_status) == 0);      \
  } while (0)

std::string errno_name(int e) { return e == 0 ? "success" : std::strerror(e); }

class LandlockKernelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto abi = probe_abi_detailed();
    kernel_abi_ = abi.has_value() ? *abi : 0;
    if (!abi.has_value()) unavailable_reason_ = abi.error().message;
  }

  void SetUp() override {
    if (kernel_abi_ == 0) GTEST_SKIP() << unavailable_reason_;
    std::string templ = ::testing::TempDir() + "sbx-landlock-XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr) << std::strerror(errno);
    base_ = templ;
    for (const char* dir : {"/ro", "/rw", "/outside"}) {
      ASSERT_EQ(::mkdir((base_ + dir).c_str(), 0755), 0) << std::strerror(errno);
    }
    write_file(base_ + "/ro/file", "hello");
    write_file(base_ + "/ro/victim", "x");
    write_file(base_ + "/outside/file", "secret");
  }

  void TearDown() override {
    if (base_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  }

  static void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
  }

  // Skips (visibly) when the kernel is older than the ABI a test needs.
  bool kernel_has(int abi) const { return kernel_abi_ >= abi; }

  RulesetPlan build(const RulesetSpec& spec, int abi) {
    auto plan = build_ruleset_at_abi(spec, abi);
    EXPECT_TRUE(plan.has_value()) << plan.error().message;
    return std::move(plan).value();
  }

  RulesetSpec ro_rw_spec(bool allow_network) const {
    return RulesetSpec{{{base_ + "/ro", Access::kReadExec}, {base_ + "/rw", Access::kReadWrite}},
                       allow_network};
  }

  static inline int kernel_abi_ = 0;
  static inline std::string unavailable_reason_;
  std::string base_;
};

// ---------------------------------------------------------------------------------------------
// Filesystem, once per ABI the kernel speaks: older ABIs' rule sets must still confine.

enum FsCheck {
  kCreateRw,
  kCreateRo,
  kWriteRoExisting,
  kReadRo,
  kListRo,
  kReadOutside,
  kMkfifoRw,
  kMkfifoRo,
  kMknodCharRw,
  kMknodRegRw,
  kMkdirRw,
  kMkdirRo,
  kSymlinkRw,
  kSymlinkRo,
  kUnlinkRw,
  kUnlinkRo,
  kTruncateRw,
  kTruncateRo,
};
static_assert(kTruncateRo < kMaxChecks);

class LandlockFsTest : public LandlockKernelTest, public ::testing::WithParamInterface<int> {};

TEST_P(LandlockFsTest, ReadOnlyAndReadWriteDirs) {
  const int abi = GetParam();
  if (!kernel_has(abi)) GTEST_SKIP() << "kernel Landlock ABI " << kernel_abi_ << " < " << abi;

  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/true), abi);
  ASSERT_GE(plan.ruleset_fd(), 0);
  const std::string ro = base_ + "/ro";
  const std::string rw = base_ + "/rw";
  const std::string outside = base_ + "/outside";

  const ChildOutcome out = run_confined(plan.view(), [&](int* r) {
    {
      const int fd = ::open((rw + "/new").c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      r[kCreateRw] = fd < 0 ? errno : errno_of(static_cast<int>(::write(fd, "data", 4)));
      if (fd >= 0) ::close(fd);
    }
    r[kCreateRo] = open_errno(ro + "/new", O_CREAT | O_EXCL | O_WRONLY);
    r[kWriteRoExisting] = open_errno(ro + "/file", O_WRONLY);
    {
      const int fd = ::open((ro + "/file").c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        r[kReadRo] = errno;
      } else {
        char buf[16] = {};
        const ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
        r[kReadRo] = n < 0 ? errno : (std::strcmp(buf, "hello") == 0 ? 0 : kWrongContent);
        ::close(fd);
      }
    }
    r[kListRo] = open_errno(ro, O_RDONLY | O_DIRECTORY);
    r[kReadOutside] = open_errno(outside + "/file", O_RDONLY);
    r[kMkfifoRw] = errno_of(::mkfifo((rw + "/fifo").c_str(), 0600));
    r[kMkfifoRo] = errno_of(::mkfifo((ro + "/fifo").c_str(), 0600));
    r[kMknodCharRw] = errno_of(::mknod((rw + "/null").c_str(), S_IFCHR | 0600, makedev(1, 3)));
    r[kMknodRegRw] = errno_of(::mknod((rw + "/reg").c_str(), S_IFREG | 0600, 0));
    r[kMkdirRw] = errno_of(::mkdir((rw + "/dir").c_str(), 0755));
    r[kMkdirRo] = errno_of(::mkdir((ro + "/dir").c_str(), 0755));
    r[kSymlinkRw] = errno_of(::symlink("file", (rw + "/link").c_str()));
    r[kSymlinkRo] = errno_of(::symlink("file", (ro + "/link").c_str()));
    r[kUnlinkRw] = errno_of(::unlink((rw + "/new").c_str()));
    r[kUnlinkRo] = errno_of(::unlink((ro + "/victim").c_str()));
    r[kTruncateRw] = errno_of(::truncate((rw + "/reg").c_str(), 0));
    r[kTruncateRo] = errno_of(::truncate((ro + "/file").c_str(), 0));
  });
  EXPECT_CHILD_APPLIED(out);
  const int* r = out.report.results;

  EXPECT_EQ(r[kCreateRw], 0) << errno_name(r[kCreateRw]);
  EXPECT_EQ(r[kCreateRo], EACCES) << errno_name(r[kCreateRo]);
  EXPECT_EQ(r[kWriteRoExisting], EACCES) << errno_name(r[kWriteRoExisting]);
  EXPECT_EQ(r[kReadRo], 0) << errno_name(r[kReadRo]);
  EXPECT_EQ(r[kListRo], 0) << errno_name(r[kListRo]);
  EXPECT_EQ(r[kReadOutside], EACCES) << errno_name(r[kReadOutside]);
  EXPECT_EQ(r[kMkfifoRw], 0) << errno_name(r[kMkfifoRw]);
  EXPECT_EQ(r[kMkfifoRo], EACCES) << errno_name(r[kMkfifoRo]);
  // Denied by Landlock (MAKE_CHAR is handled, never granted) before any CAP_MKNOD check.
  EXPECT_EQ(r[kMknodCharRw], EACCES) << errno_name(r[kMknodCharRw]);
  EXPECT_EQ(r[kMknodRegRw], 0) << errno_name(r[kMknodRegRw]);
  EXPECT_EQ(r[kMkdirRw], 0) << errno_name(r[kMkdirRw]);
  EXPECT_EQ(r[kMkdirRo], EACCES) << errno_name(r[kMkdirRo]);
  EXPECT_EQ(r[kSymlinkRw], 0) << errno_name(r[kSymlinkRw]);
  EXPECT_EQ(r[kSymlinkRo], EACCES) << errno_name(r[kSymlinkRo]);
  EXPECT_EQ(r[kUnlinkRw], 0) << errno_name(r[kUnlinkRw]);
  EXPECT_EQ(r[kUnlinkRo], EACCES) << errno_name(r[kUnlinkRo]);
  EXPECT_EQ(r[kTruncateRw], 0) << errno_name(r[kTruncateRw]);
  // TRUNCATE is handled from ABI 3; before that only DAC decides.
  EXPECT_EQ(r[kTruncateRo], abi >= 3 ? EACCES : 0) << errno_name(r[kTruncateRo]);

  // The parent, outside the domain, sees the effects of the allowed operations.
  EXPECT_TRUE(std::filesystem::is_fifo(rw + "/fifo"));
  EXPECT_TRUE(std::filesystem::is_directory(rw + "/dir"));
  EXPECT_FALSE(std::filesystem::exists(ro + "/new"));
  EXPECT_TRUE(std::filesystem::exists(ro + "/victim"));
}

INSTANTIATE_TEST_SUITE_P(EachAbi, LandlockFsTest, ::testing::Range(1, kMaxKnownAbi + 1),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return "Abi" + std::to_string(param_info.param);
                         });

// ---------------------------------------------------------------------------------------------
// Rules on files, apply_in_child failures, plan ownership.

TEST_F(LandlockKernelTest, DevicesRuleOnAFileAllowsWriteAndTruncate) {
  // /dev/null is a file rule: READ_DIR and friends must be dropped or add_rule is EINVAL.
  const RulesetPlan plan = build(RulesetSpec{{{"/dev/null", Access::kDevices}}, true}, kernel_abi_);
  enum { kNullTrunc, kNullRead, kZeroRead };
  const ChildOutcome out = run_confined(plan.view(), [](int* r) {
    r[kNullTrunc] = open_errno("/dev/null", O_WRONLY | O_TRUNC);
    r[kNullRead] = open_errno("/dev/null", O_RDONLY);
    r[kZeroRead] = open_errno("/dev/zero", O_RDONLY);
  });
  EXPECT_CHILD_APPLIED(out);
  EXPECT_EQ(out.report.results[kNullTrunc], 0) << errno_name(out.report.results[kNullTrunc]);
  EXPECT_EQ(out.report.results[kNullRead], 0) << errno_name(out.report.results[kNullRead]);
  EXPECT_EQ(out.report.results[kZeroRead], EACCES) << errno_name(out.report.results[kZeroRead]);
}

TEST_F(LandlockKernelTest, ReadExecRuleOnDevDeniesWrites) {
  const RulesetPlan plan = build(RulesetSpec{{{"/dev", Access::kReadExec}}, true}, kernel_abi_);
  enum { kNullWrite, kNullRead };
  const ChildOutcome out = run_confined(plan.view(), [](int* r) {
    r[kNullWrite] = open_errno("/dev/null", O_WRONLY);
    r[kNullRead] = open_errno("/dev/null", O_RDONLY);
  });
  EXPECT_CHILD_APPLIED(out);
  EXPECT_EQ(out.report.results[kNullWrite], EACCES) << errno_name(out.report.results[kNullWrite]);
  EXPECT_EQ(out.report.results[kNullRead], 0) << errno_name(out.report.results[kNullRead]);
}

TEST_F(LandlockKernelTest, MissingRulePathIsNamed) {
  const std::string missing = base_ + "/does-not-exist";
  const RulesetPlan plan =
      build(RulesetSpec{{{base_ + "/ro", Access::kReadExec}, {missing, Access::kReadWrite}}, true},
            kernel_abi_);
  const ChildOutcome out = run_confined(plan.view(), [](int*) {});
  ASSERT_TRUE(out.reported);
  EXPECT_EQ(out.report.applied, 0);
  EXPECT_EQ(out.report.apply_errno, ENOENT);
  EXPECT_EQ(std::string(out.report.failed_path), missing);
}

TEST_F(LandlockKernelTest, SkippedPlanAppliesNothing) {
  const launch::LandlockPlan skipped{-1, nullptr, 0};
  const std::string outside = base_ + "/outside/file";
  const ChildOutcome out =
      run_confined(skipped, [&](int* r) { r[0] = open_errno(outside, O_RDONLY); });
  EXPECT_CHILD_APPLIED(out);
  EXPECT_EQ(out.report.results[0], 0) << errno_name(out.report.results[0]);
}

TEST_F(LandlockKernelTest, PlanOwnsFdAndStringsAcrossMoves) {
  auto built = build_ruleset(ro_rw_spec(/*allow_network=*/false));
  ASSERT_TRUE(built.has_value()) << built.error().message;
  RulesetPlan plan = std::move(built).value();
  RulesetPlan moved = std::move(plan);

  const launch::LandlockPlan view = moved.view();
  ASSERT_GE(view.ruleset_fd, 0);
  EXPECT_TRUE(::fcntl(view.ruleset_fd, F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(view.rule_count, 2u);
  // Short paths would live in the string objects themselves (SSO); they must not have moved.
  EXPECT_EQ(std::string(view.rules[0].path), base_ + "/ro");
  EXPECT_EQ(std::string(view.rules[1].path), base_ + "/rw");
  EXPECT_EQ(view.rules[0].access, rule_mask(Access::kReadExec, kernel_abi_));
  EXPECT_EQ(view.rules[1].access, rule_mask(Access::kReadWrite, kernel_abi_));

  const Enforced& e = moved.enforced();
  EXPECT_EQ(e.abi, kernel_abi_);
  EXPECT_EQ(e.rule_count, 2u);
  EXPECT_EQ(e.handled_fs, handled_fs(kernel_abi_));
  EXPECT_EQ(e.handled_net, handled_net(kernel_abi_));
  EXPECT_EQ(e.scoped, supported_scopes(kernel_abi_));
  EXPECT_NE(e.describe().find("landlock ABI " + std::to_string(kernel_abi_)), std::string::npos);
}

TEST_F(LandlockKernelTest, ShortPathsSurviveMoves) {
  const RulesetPlan plan = build(
      RulesetSpec{{{"/", Access::kReadExec}, {"/tmp", Access::kReadWrite}}, true}, kernel_abi_);
  std::vector<RulesetPlan> plans;
  plans.push_back(build(RulesetSpec{{{"/dev", Access::kDevices}}, true}, kernel_abi_));
  plans.push_back(build(RulesetSpec{{{"/usr", Access::kReadExec}}, true}, kernel_abi_));
  plans.push_back(build(RulesetSpec{{{"/etc", Access::kReadExec}}, true}, kernel_abi_));
  EXPECT_STREQ(plans[0].view().rules[0].path, "/dev");
  EXPECT_STREQ(plans[1].view().rules[0].path, "/usr");
  EXPECT_STREQ(plans[2].view().rules[0].path, "/etc");
  EXPECT_STREQ(plan.view().rules[1].path, "/tmp");
}

bool has_cap_sys_admin() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      return (std::stoull(line.substr(7), nullptr, 16) >> 21) & 1;  // CAP_SYS_ADMIN
    }
  }
  return false;
}

TEST_F(LandlockKernelTest, RestrictSelfNeedsNoNewPrivs) {
  if (has_cap_sys_admin()) {
    GTEST_SKIP() << "CAP_SYS_ADMIN lets restrict_self work without no_new_privs; run as a user";
  }
  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/true), kernel_abi_);
  const launch::LandlockPlan view = plan.view();
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::alarm(kChildTimeoutSeconds);
    const char* failed = "";
    int result[2] = {0, 0};
    if (apply_in_child(view, &failed) != 0) {
      result[0] = errno;
      result[1] = std::strcmp(failed, "landlock_restrict_self") == 0;
    }
    ::_exit(::write(write_end.get(), result, sizeof(result)) == sizeof(result) ? 0 : 1);
  }
  write_end.reset();
  int result[2] = {-1, -1};
  const ssize_t n = ::read(read_end.get(), result, sizeof(result));
  int wait_status = 0;
  ::waitpid(pid, &wait_status, 0);
  ASSERT_EQ(n, static_cast<ssize_t>(sizeof(result)));
  EXPECT_EQ(result[0], EPERM) << errno_name(result[0]);
  EXPECT_EQ(result[1], 1) << "failed_path should name landlock_restrict_self";
}

// ---------------------------------------------------------------------------------------------
// TCP (ABI 4).

class LandlockNetTest : public LandlockKernelTest {
 protected:
  void SetUp() override {
    LandlockKernelTest::SetUp();
    if (IsSkipped()) return;
    listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(listener_.valid()) << std::strerror(errno);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
        << "loopback bind: " << std::strerror(errno);
    ASSERT_EQ(::listen(listener_.get(), 8), 0) << std::strerror(errno);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
    listener_addr_ = addr;
  }

  enum { kConnect, kBind };

  ChildOutcome probe_tcp(const RulesetPlan& plan) const {
    const sockaddr_in target = listener_addr_;
    return run_confined(plan.view(), [target](int* r) {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      r[kConnect] =
          fd < 0
              ? errno
              : errno_of(::connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof(target)));
      if (fd >= 0) ::close(fd);
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in any{};
      any.sin_family = AF_INET;
      any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      r[kBind] = fd < 0
                     ? errno
                     : errno_of(::bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(any)));
      if (fd >= 0) ::close(fd);
    });
  }

  UniqueFd listener_;
  sockaddr_in listener_addr_{};
};

TEST_F(LandlockNetTest, TcpDeniedWithoutNetwork) {
  if (!supports_net(kernel_abi_))
    GTEST_SKIP() << "TCP rules need Landlock ABI 4, kernel has " << kernel_abi_;
  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/false), kernel_abi_);
  const ChildOutcome out = probe_tcp(plan);
  EXPECT_CHILD_APPLIED(out);
  EXPECT_EQ(out.report.results[kConnect], EACCES) << errno_name(out.report.results[kConnect]);
  EXPECT_EQ(out.report.results[kBind], EACCES) << errno_name(out.report.results[kBind]);
}

TEST_F(LandlockNetTest, TcpAllowedWithNetwork) {
  if (!supports_net(kernel_abi_))
    GTEST_SKIP() << "TCP rules need Landlock ABI 4, kernel has " << kernel_abi_;
  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/true), kernel_abi_);
  const ChildOutcome out = probe_tcp(plan);
  EXPECT_CHILD_APPLIED(out);
  EXPECT_EQ(out.report.results[kConnect], 0) << errno_name(out.report.results[kConnect]);
  EXPECT_EQ(out.report.results[kBind], 0) << errno_name(out.report.results[kBind]);
}

TEST_F(LandlockNetTest, Abi3CannotRestrictTcp) {
  if (!kernel_has(3)) GTEST_SKIP() << "kernel Landlock ABI " << kernel_abi_ << " < 3";
  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/false), 3);
  EXPECT_EQ(plan.enforced().handled_net, 0u);
  const ChildOutcome out = probe_tcp(plan);
  EXPECT_CHILD_APPLIED(out);
  EXPECT_EQ(out.report.results[kConnect], 0) << errno_name(out.report.results[kConnect]);
}

// ---------------------------------------------------------------------------------------------
// Scopes (ABI 6): signals and abstract unix sockets stop at the domain boundary.

class LandlockScopeTest : public LandlockKernelTest {
 protected:
  void SetUp() override {
    LandlockKernelTest::SetUp();
    if (IsSkipped()) return;
    abstract_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(abstract_.valid()) << std::strerror(errno);
    const std::string name = "sbx-landlock-test-" + std::to_string(::getpid()) + "-" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name();
    addr_.sun_family = AF_UNIX;
    addr_.sun_path[0] = '\0';  // abstract namespace
    std::memcpy(addr_.sun_path + 1, name.data(), std::min(name.size(), sizeof(addr_.sun_path) - 2));
    addr_len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 +
                                       std::min(name.size(), sizeof(addr_.sun_path) - 2));
    ASSERT_EQ(::bind(abstract_.get(), reinterpret_cast<sockaddr*>(&addr_), addr_len_), 0)
        << std::strerror(errno);
    ASSERT_EQ(::listen(abstract_.get(), 8), 0) << std::strerror(errno);
  }

  enum { kKillParent, kKillSelf, kConnectAbstract };

  ChildOutcome probe_scopes(const RulesetPlan& plan) const {
    const sockaddr_un addr = addr_;
    const socklen_t len = addr_len_;
    return run_confined(plan.view(), [addr, len](int* r) {
      r[kKillParent] = errno_of(::kill(::getppid(), 0));
      r[kKillSelf] = errno_of(::kill(::getpid(), 0));
      const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      r[kConnectAbstract] =
          fd < 0 ? errno : errno_of(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len));
      if (fd >= 0) ::close(fd);
    });
  }

  UniqueFd abstract_;
  sockaddr_un addr_{};
  socklen_t addr_len_ = 0;
};

TEST_F(LandlockScopeTest, SignalsAndAbstractSocketsStayInside) {
  if (!kernel_has(6)) GTEST_SKIP() << "scopes need Landlock ABI 6, kernel has " << kernel_abi_;
  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/true), kernel_abi_);
  const ChildOutcome out = probe_scopes(plan);
  EXPECT_CHILD_APPLIED(out);
  const int* r = out.report.results;
  EXPECT_EQ(r[kKillParent], EPERM) << errno_name(r[kKillParent]);
  EXPECT_EQ(r[kKillSelf], 0) << errno_name(r[kKillSelf]);
  EXPECT_EQ(r[kConnectAbstract], EPERM) << errno_name(r[kConnectAbstract]);
}

TEST_F(LandlockScopeTest, Abi5DoesNotScope) {
  if (!kernel_has(5)) GTEST_SKIP() << "kernel Landlock ABI " << kernel_abi_ << " < 5";
  const RulesetPlan plan = build(ro_rw_spec(/*allow_network=*/true), 5);
  EXPECT_EQ(plan.enforced().scoped, 0u);
  const ChildOutcome out = probe_scopes(plan);
  EXPECT_CHILD_APPLIED(out);
  const int* r = out.report.results;
  EXPECT_EQ(r[kKillParent], 0) << errno_name(r[kKillParent]);
  EXPECT_EQ(r[kConnectAbstract], 0) << errno_name(r[kConnectAbstract]);
}

}  // namespace
}  // namespace sbx::landlock
