#include "base/paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sbx {
namespace {

using ::testing::HasSubstr;

TEST(NormalizeSandboxPath, CollapsesSlashesAndDots) {
  const std::pair<const char*, const char*> cases[] = {
      {"/", "/"},
      {"//", "/"},
      {"/.", "/"},
      {"/./././", "/"},
      {"/data", "/data"},
      {"/data/", "/data"},
      {"/data//", "/data"},
      {"//data///sub//", "/data/sub"},
      {"/a/./b/.", "/a/b"},
      {"/..a/b..", "/..a/b.."},  // names that merely contain dots are ordinary names
      {"/.../x", "/.../x"},
      {"/.hidden", "/.hidden"},
      {"/with space/é", "/with space/é"},
  };
  for (const auto& [in, want] : cases) {
    auto r = normalize_sandbox_path(in);
    ASSERT_TRUE(r.has_value()) << in << ": " << r.error().message;
    EXPECT_EQ(*r, want) << in;
  }
}

TEST(NormalizeSandboxPath, RefusesDotDotAnywhere) {
  for (const char* bad : {"/..", "/../etc", "/a/..", "/a/../b", "/a/b/../../..", "//..//"}) {
    auto r = normalize_sandbox_path(bad);
    ASSERT_FALSE(r.has_value()) << bad << " became " << *r;
    EXPECT_THAT(r.error().message, HasSubstr("\"..\"")) << bad;
    EXPECT_THAT(r.error().message, HasSubstr(bad)) << "the message quotes the input";
    EXPECT_EQ(r.error().sys_errno, 0);
  }
}

TEST(NormalizeSandboxPath, RefusesRelativeAndEmpty) {
  for (const char* bad : {"data", "./data", "../x", ".", "~/x", " /x"}) {
    auto r = normalize_sandbox_path(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_THAT(r.error().message, HasSubstr("not an absolute path")) << bad;
    EXPECT_THAT(r.error().message, HasSubstr(bad));
  }
  auto empty = normalize_sandbox_path("");
  ASSERT_FALSE(empty.has_value());
  EXPECT_THAT(empty.error().message, HasSubstr("empty"));
}

TEST(NormalizeSandboxPath, RefusesEmbeddedNul) {
  const std::string with_nul("/data\0/etc", 10);
  auto r = normalize_sandbox_path(with_nul);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("NUL"));
}

TEST(NormalizeSandboxPath, IsIdempotent) {
  for (const char* in : {"/", "/a", "//a//b/./c/", "/x/y/z"}) {
    auto once = normalize_sandbox_path(in);
    ASSERT_TRUE(once.has_value());
    auto twice = normalize_sandbox_path(*once);
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(*once, *twice) << in;
  }
}

TEST(PathIsWithin, ComponentBoundaries) {
  EXPECT_TRUE(path_is_within("/proc", "/proc"));
  EXPECT_TRUE(path_is_within("/proc/sys", "/proc"));
  EXPECT_TRUE(path_is_within("/proc/sys/kernel", "/proc"));
  EXPECT_FALSE(path_is_within("/procfs", "/proc")) << "a shared prefix is not containment";
  EXPECT_FALSE(path_is_within("/pro", "/proc"));
  EXPECT_FALSE(path_is_within("/", "/proc"));
  EXPECT_FALSE(path_is_within("/dev", "/dev/shm"));
  EXPECT_TRUE(path_is_within("/dev/shm", "/dev"));
  EXPECT_FALSE(path_is_within("/devices", "/dev"));
}

TEST(PathIsWithin, EverythingIsWithinRoot) {
  for (const char* p : {"/", "/a", "/a/b", "/proc"}) EXPECT_TRUE(path_is_within(p, "/")) << p;
}

}  // namespace
}  // namespace sbx
