// The user-namespace verdicts of sbx doctor (and of a failed sbx exec) for every combination
// of the knobs that can block them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "doctor/probes.h"

namespace sbx::doctor {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

UsernsKnobs open_host() {
  UsernsKnobs k;
  k.max_user_namespaces = 15000;
  k.sbx_path = "/opt/bin/sbx";
  return k;
}

TEST(DoctorUsernsDiagnosis, CloneKnobNamesSysctlAndFix) {
  UsernsKnobs k = open_host();
  k.unprivileged_userns_clone = 0;
  const Diagnosis d = diagnose_userns_failure(EPERM, k);
  EXPECT_THAT(d.cause, HasSubstr("kernel.unprivileged_userns_clone=0"));
  EXPECT_EQ(d.fix, "sudo sysctl -w kernel.unprivileged_userns_clone=1");
}

TEST(DoctorUsernsDiagnosis, MaxUserNamespacesZero) {
  UsernsKnobs k = open_host();
  k.max_user_namespaces = 0;
  for (int err : {ENOSPC, EUSERS}) {
    const Diagnosis d = diagnose_userns_failure(err, k);
    EXPECT_THAT(d.cause, HasSubstr("user.max_user_namespaces=0"));
    EXPECT_EQ(d.fix, "sudo sysctl -w user.max_user_namespaces=15000");
  }
}

TEST(DoctorUsernsDiagnosis, LimitReachedWithoutZeroKnob) {
  const Diagnosis d = diagnose_userns_failure(ENOSPC, open_host());
  EXPECT_THAT(d.cause, AllOf(HasSubstr("limit is reached"), HasSubstr("user.max_user_namespaces=15000")));
  EXPECT_THAT(d.fix, HasSubstr("sudo sysctl -w user.max_user_namespaces="));
}

TEST(DoctorUsernsDiagnosis, AppArmorWithoutProfileGivesProfileCommand) {
  UsernsKnobs k = open_host();
  k.apparmor_restrict_unprivileged_userns = 1;
  k.apparmor_label = "unconfined";
  const Diagnosis d = diagnose_userns_failure(EPERM, k);
  EXPECT_THAT(d.cause, HasSubstr("kernel.apparmor_restrict_unprivileged_userns=1"));
  EXPECT_THAT(d.fix, AllOf(HasSubstr("profile sbx /opt/bin/sbx flags=(unconfined)"), HasSubstr("userns,"),
                           HasSubstr("sudo tee /etc/apparmor.d/sbx"),
                           HasSubstr("sudo apparmor_parser -r /etc/apparmor.d/sbx"),
                           HasSubstr("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")));
}

TEST(DoctorUsernsDiagnosis, AppArmorProfileFileThatDoesNotApply) {
  UsernsKnobs k = open_host();
  k.apparmor_restrict_unprivileged_userns = 1;
  k.apparmor_label = "unconfined";
  k.apparmor_profile_file = true;
  const Diagnosis d = diagnose_userns_failure(EPERM, k);
  EXPECT_THAT(d.cause, HasSubstr("/etc/apparmor.d/sbx does not apply to /opt/bin/sbx"));
  EXPECT_THAT(d.fix, HasSubstr("sudo apparmor_parser -r /etc/apparmor.d/sbx"));
}

TEST(DoctorUsernsDiagnosis, ConfiningProfileMustAllowUserns) {
  UsernsKnobs k = open_host();
  k.apparmor_restrict_unprivileged_userns = 1;
  k.apparmor_label = "sbx (enforce)";
  const Diagnosis d = diagnose_userns_failure(EPERM, k);
  EXPECT_THAT(d.cause, HasSubstr("AppArmor profile 'sbx'"));
  EXPECT_THAT(d.fix, HasSubstr("add the rule 'userns,'"));
}

TEST(DoctorUsernsDiagnosis, RefusedWithoutKnobBlamesContainer) {
  const Diagnosis d = diagnose_userns_failure(EPERM, open_host());
  EXPECT_THAT(d.cause, HasSubstr("no sysctl blocks them"));
  EXPECT_THAT(d.fix, HasSubstr("seccomp profile"));
}

TEST(DoctorUsernsDiagnosis, OtherErrnos) {
  EXPECT_THAT(diagnose_userns_failure(EINVAL, open_host()).fix, HasSubstr("CONFIG_USER_NS=y"));
  EXPECT_THAT(diagnose_userns_failure(ENOMEM, open_host()).cause, HasSubstr("out of memory"));
  const Diagnosis odd = diagnose_userns_failure(EIO, open_host());
  EXPECT_THAT(odd.cause, HasSubstr("EIO (Input/output error)"));
  EXPECT_FALSE(odd.fix.empty());
}

TEST(DoctorUsernsDiagnosis, ExplainIsOneLineWithCauseAndFix) {
  UsernsKnobs k = open_host();
  k.unprivileged_userns_clone = 0;
  for (int err : {EPERM, EACCES, ENOSPC, EUSERS, EINVAL, ENOMEM, EIO}) {
    const std::string line = explain_userns_failure(err, k);
    EXPECT_THAT(line, HasSubstr("; fix: ")) << err;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
  EXPECT_EQ(explain_userns_failure(EPERM, k),
            "user namespaces are disabled for unprivileged users by kernel.unprivileged_userns_clone=0; "
            "fix: sudo sysctl -w kernel.unprivileged_userns_clone=1");
}

// Every combination of the knobs, checked against a statement of the rules written
// independently of the implementation.
TEST(DoctorUsernsKnobs, EveryCombination) {
  const std::vector<std::optional<int64_t>> clone_values = {std::nullopt, 0, 1};
  const std::vector<std::optional<int64_t>> max_values = {std::nullopt, 0, 15000};
  const std::vector<std::optional<int64_t>> apparmor_values = {std::nullopt, 0, 1};
  const std::vector<std::string> labels = {"", "unconfined", "sbx (unconfined)"};
  int combinations = 0;
  for (const auto& clone : clone_values) {
    for (const auto& max : max_values) {
      for (const auto& apparmor : apparmor_values) {
        for (const auto& label : labels) {
          for (bool profile_file : {false, true}) {
            for (bool privileged : {false, true}) {
              ++combinations;
              UsernsKnobs k;
              k.unprivileged_userns_clone = clone;
              k.max_user_namespaces = max;
              k.apparmor_restrict_unprivileged_userns = apparmor;
              k.apparmor_label = label;
              k.apparmor_profile_file = profile_file;
              k.sbx_path = "/opt/bin/sbx";

              const bool max_blocks = max == 0;
              const bool clone_blocks = clone == 0;
              const bool confined = !label.empty() && label != "unconfined";
              const bool apparmor_blocks =
                  apparmor == 1 && !confined && !(label.empty() && profile_file);
              Level want = Level::kOk;
              if (clone_blocks || apparmor_blocks) want = privileged ? Level::kWarn : Level::kMissing;
              if (max_blocks) want = Level::kMissing;

              const Check c = evaluate_userns_knobs(k, privileged);
              SCOPED_TRACE(c.detail);
              EXPECT_EQ(c.id, "userns.sysctl");
              EXPECT_EQ(c.level, want);
              EXPECT_EQ(c.fix.empty(), want == Level::kOk);
              if (max_blocks) {
                EXPECT_EQ(c.fix, "sudo sysctl -w user.max_user_namespaces=15000");
              } else if (clone_blocks) {
                EXPECT_EQ(c.fix, "sudo sysctl -w kernel.unprivileged_userns_clone=1");
              } else if (apparmor_blocks) {
                EXPECT_THAT(c.fix, HasSubstr("apparmor"));
              }
              // The detail always shows all three knobs as read.
              EXPECT_THAT(c.detail, AllOf(HasSubstr("user.max_user_namespaces"),
                                          HasSubstr("kernel.unprivileged_userns_clone"),
                                          HasSubstr("kernel.apparmor_restrict_unprivileged_userns")));
              if (privileged && want == Level::kWarn) {
                EXPECT_THAT(c.detail, HasSubstr("CAP_SYS_ADMIN"));
              }

              // A failed unshare is blamed on the knob that blocks this caller.
              const Diagnosis eperm = diagnose_userns_failure(EPERM, k);
              if (clone_blocks) {
                EXPECT_THAT(eperm.fix, HasSubstr("kernel.unprivileged_userns_clone=1"));
              } else if (apparmor == 1) {
                EXPECT_THAT(eperm.cause, AnyOf(HasSubstr("AppArmor"), HasSubstr("apparmor")));
              } else {
                EXPECT_THAT(eperm.cause, HasSubstr("no sysctl blocks them"));
              }
              const Diagnosis enospc = diagnose_userns_failure(ENOSPC, k);
              EXPECT_THAT(enospc.fix, HasSubstr("user.max_user_namespaces"));
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(combinations, 3 * 3 * 3 * 3 * 2 * 2);
}

TEST(DoctorUsernsKnobs, OpenHostSaysNothingBlocks) {
  const Check c = evaluate_userns_knobs(open_host(), /*privileged=*/false);
  EXPECT_EQ(c.level, Level::kOk);
  EXPECT_THAT(c.detail, HasSubstr("nothing blocks user namespaces"));
  EXPECT_THAT(c.detail, HasSubstr("kernel.unprivileged_userns_clone absent"));
}

TEST(DoctorUsernsKnobs, LiveProbeOutranksKnobs) {
  UsernsKnobs k = open_host();
  k.apparmor_restrict_unprivileged_userns = 1;
  const Check knobs = evaluate_userns_knobs(k, /*privileged=*/false);
  ASSERT_EQ(knobs.level, Level::kMissing);

  const Check worked{"userns", "unprivileged user namespaces", Level::kOk, "works", ""};
  const Check downgraded = reconcile_userns_knobs(worked, knobs);
  EXPECT_EQ(downgraded.level, Level::kWarn);
  EXPECT_THAT(downgraded.detail, HasSubstr("live user namespace probe succeeded"));
  EXPECT_EQ(downgraded.fix, knobs.fix);

  const Check failed{"userns", "unprivileged user namespaces", Level::kMissing, "EPERM", "x"};
  EXPECT_EQ(reconcile_userns_knobs(failed, knobs).level, Level::kMissing);
  const Check ok_knobs = evaluate_userns_knobs(open_host(), false);
  EXPECT_EQ(reconcile_userns_knobs(worked, ok_knobs).detail, ok_knobs.detail);
}

TEST(DoctorErrnoLabel, NamesAndText) {
  EXPECT_EQ(errno_label(EPERM), "EPERM (Operation not permitted)");
  EXPECT_EQ(errno_label(ENOSYS), "ENOSYS (Function not implemented)");
  EXPECT_EQ(errno_label(ENOSPC), "ENOSPC (No space left on device)");
  EXPECT_THAT(errno_label(4242), AllOf(HasSubstr("errno 4242"), Not(HasSubstr("E4242"))));
}

}  // namespace
}  // namespace sbx::doctor
