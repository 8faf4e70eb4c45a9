// How sbx doctor prints its report: aligned text rows with fix lines and a verdict, or one
// JSON object.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "doctor/doctor.h"

namespace sbx::doctor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

Report sample(Level landlock) {
  Report r;
  r.checks.push_back({"kernel", "kernel version", Level::kOk, "Linux 6.1", ""});
  r.checks.push_back({"landlock", "Landlock", landlock, "ABI 0", landlock == Level::kOk ? "" : "enable it"});
  r.checks.push_back({"cgroup2", "cgroup v2", Level::kWarn, "not delegated", "systemd-run ..."});
  return r;
}

TEST(DoctorReport, LevelNames) {
  EXPECT_STREQ(level_name(Level::kOk), "ok");
  EXPECT_STREQ(level_name(Level::kWarn), "warn");
  EXPECT_STREQ(level_name(Level::kMissing), "missing");
}

TEST(DoctorReport, UsableMeansNothingMissing) {
  EXPECT_TRUE(Report{}.usable());
  EXPECT_TRUE(sample(Level::kOk).usable());
  EXPECT_TRUE(sample(Level::kWarn).usable());
  EXPECT_FALSE(sample(Level::kMissing).usable());
}

TEST(DoctorReport, TextRowsAreAlignedWithFixLines) {
  const auto lines = lines_of(render_text(sample(Level::kMissing)));
  EXPECT_THAT(lines, ElementsAre("ok       kernel version  Linux 6.1",
                                 "missing  Landlock        ABI 0",
                                 "         fix: enable it",
                                 "warn     cgroup v2       not delegated",
                                 "         fix: systemd-run ...",
                                 "verdict: not usable: sbx exec cannot run on this host until the 1 "
                                 "missing check above is fixed"));
}

TEST(DoctorReport, TextVerdictWhenUsable) {
  const auto lines = lines_of(render_text(sample(Level::kOk)));
  ASSERT_EQ(lines.size(), 5u);  // three rows, one fix line (cgroup), the verdict
  EXPECT_EQ(lines[0], "ok    kernel version  Linux 6.1");
  EXPECT_EQ(lines.back(), "verdict: usable: sbx exec can run on this host (1 warning)");
  EXPECT_EQ(lines_of(render_text(Report{})).back(), "verdict: usable: sbx exec can run on this host (0 warnings)");
}

TEST(DoctorReport, JsonShape) {
  const auto j = render_json(sample(Level::kMissing));
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.at("sbx_version"), SBX_VERSION);
  EXPECT_EQ(j.at("usable"), false);
  ASSERT_TRUE(j.at("checks").is_array());
  ASSERT_EQ(j.at("checks").size(), 3u);
  const auto& row = j.at("checks")[1];
  EXPECT_EQ(row.size(), 5u);
  EXPECT_EQ(row.at("id"), "landlock");
  EXPECT_EQ(row.at("title"), "Landlock");
  EXPECT_EQ(row.at("status"), "missing");
  EXPECT_EQ(row.at("detail"), "ABI 0");
  EXPECT_EQ(row.at("fix"), "enable it");
  EXPECT_EQ(j.at("checks")[0].at("fix"), "");
  EXPECT_EQ(j.at("checks")[2].at("status"), "warn");
  EXPECT_EQ(render_json(sample(Level::kWarn)).at("usable"), true);
  // Key order is stable for people reading the raw output.
  EXPECT_THAT(j.dump(), StartsWith(R"({"sbx_version":")"));
  EXPECT_THAT(j.dump(), HasSubstr(R"({"id":"kernel","title":"kernel version","status":"ok")"));
}

}  // namespace
}  // namespace sbx::doctor
