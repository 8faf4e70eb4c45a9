#include "app/exec_report.h"

#include <signal.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

namespace sbx::app {
namespace {

TEST(SignalEndMessage, SaysWhatAShellWouldSay) {
  const policy::Policy p;
  EXPECT_EQ(signal_end_message(SIGSEGV, p), "sbx: killed by SIGSEGV (Segmentation fault)");
  EXPECT_EQ(signal_end_message(SIGKILL, p), "sbx: killed by SIGKILL (Killed)");
  EXPECT_EQ(signal_end_message(SIGTERM, p), "sbx: killed by SIGTERM (Terminated)");
}

TEST(SignalEndMessage, InterruptAndBrokenPipeGoUnsaid) {
  const policy::Policy p;
  EXPECT_EQ(signal_end_message(SIGINT, p), "");
  EXPECT_EQ(signal_end_message(SIGPIPE, p), "");
}

TEST(SignalEndMessage, NamesTheLimitBehindSigxcpuAndSigxfsz) {
  policy::Policy p;
  p.rlimits.push_back({RLIMIT_CPU, 2, 3});
  p.rlimits.push_back({RLIMIT_FSIZE, 1024, 1024});
  EXPECT_EQ(signal_end_message(SIGXCPU, p), "sbx: killed by SIGXCPU: the CPU-time limit of 2s was reached");
  EXPECT_EQ(signal_end_message(SIGXFSZ, p),
            "sbx: killed by SIGXFSZ: a write went past the file size limit of 1024 bytes");
}

TEST(SignalEndMessage, NamesTheSeccompFilterWhenItsDenialsKill) {
  policy::Policy p;
  EXPECT_EQ(signal_end_message(SIGSYS, p), "sbx: killed by SIGSYS (Bad system call)");
  p.seccomp_rules.deny_action = policy::SeccompDenyAction::kKill;
  EXPECT_EQ(signal_end_message(SIGSYS, p),
            "sbx: killed by SIGSYS: the program made a system call the seccomp filter denies (the policy's seccomp "
            "deny_action is kill; with errno it would have failed with EPERM instead)");
}

TEST(SignalEndMessage, WithoutALimitTheSignalIsOnlyNamed) {
  // Anyone may send SIGXCPU; without a limit in the policy it says nothing about limits.
  policy::Policy p;
  p.rlimits.push_back({RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY});
  EXPECT_EQ(signal_end_message(SIGXCPU, p), "sbx: killed by SIGXCPU (CPU time limit exceeded)");
  EXPECT_EQ(signal_end_message(SIGXFSZ, p), "sbx: killed by SIGXFSZ (File size limit exceeded)");
}

TEST(SignalEndMessage, ARealTimeSignalIsNamedByNumber) {
  const policy::Policy p;
  const std::string message = signal_end_message(SIGRTMIN + 2, p);
  EXPECT_EQ(message.rfind("sbx: killed by ", 0), 0u) << message;
  EXPECT_NE(message.find(std::to_string(SIGRTMIN + 2)), std::string::npos) << message;
}

}  // namespace
}  // namespace sbx::app
