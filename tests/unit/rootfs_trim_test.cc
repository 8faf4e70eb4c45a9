#include "rootfs/trim.h"

#include <gtest/gtest.h>

#include "base/file_contents.h"
#include "rootfs_test_tree.h"

namespace sbx::rootfs {
namespace {

using testing::ScratchTree;

TEST(Trim, PatternsFollowDpkgPathExclude) {
  TrimRules rules{{"/usr/share/doc/*", "/*/__pycache__", "/*/__pycache__/*"}, {"/usr/share/doc/*/copyright"}};
  EXPECT_TRUE(trim_removes(rules, "/usr/share/doc/bash/README"));
  EXPECT_TRUE(trim_removes(rules, "/usr/share/doc/bash"));
  EXPECT_FALSE(trim_removes(rules, "/usr/share/doc/bash/copyright"));
  EXPECT_FALSE(trim_removes(rules, "/usr/share/doc"));
  EXPECT_TRUE(trim_removes(rules, "/usr/lib/python3/x/__pycache__"));
  EXPECT_TRUE(trim_removes(rules, "/usr/lib/python3/x/__pycache__/a.pyc"));
  EXPECT_FALSE(trim_removes(rules, "/usr/lib/python3/x/a.py"));
}

TEST(Trim, RemovesSelectedEntriesAndOnlyEmptiedDirectories) {
  ScratchTree t;
  t.populate_rootfs();
  t.dir("/usr/share/doc/empty-pkg");
  t.file("/usr/share/doc/empty-pkg/changelog.gz", "0123456789");
  t.dir("/usr/lib");
  t.dir("/usr/lib/__pycache__");
  t.file("/usr/lib/__pycache__/m.pyc", "pyc");
  TrimRules rules{{"/usr/share/doc/*", "/*/__pycache__", "/*/__pycache__/*"}, {"/usr/share/doc/*/copyright"}};
  auto stats = apply_trim(t.path(), rules);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_FALSE(t.exists("/usr/share/doc/bash/README"));
  EXPECT_TRUE(t.exists("/usr/share/doc/bash/copyright"));
  EXPECT_TRUE(t.exists("/usr/share/doc/bash"));  // not empty: the copyright stays
  EXPECT_FALSE(t.exists("/usr/share/doc/empty-pkg"));
  EXPECT_FALSE(t.exists("/usr/lib/__pycache__"));
  EXPECT_TRUE(t.exists("/usr/bin/tool"));
  EXPECT_TRUE(t.exists("/bin"));
  EXPECT_EQ(stats->removed_entries, 5u);  // README, changelog.gz, empty-pkg, m.pyc, __pycache__
  EXPECT_EQ(stats->removed_bytes, 6u + 10u + 3u);
}

TEST(PostBuild, RemovesWritesAndLinks) {
  ScratchTree t;
  t.populate_rootfs();
  std::vector<PostBuildStep> steps(4);
  steps[0].kind = PostBuildStep::Kind::kRemove;
  steps[0].path = "/usr/share/doc/*";
  steps[1].kind = PostBuildStep::Kind::kWrite;
  steps[1].path = "/etc/new/dir/conf";
  steps[1].contents = "key = value\n";
  steps[1].mode = 0600;
  steps[2].kind = PostBuildStep::Kind::kWrite;
  steps[2].path = "/etc/os-release";
  steps[2].contents = "ID=sbx\n";
  steps[3].kind = PostBuildStep::Kind::kSymlink;
  steps[3].path = "/usr/bin/alias";
  steps[3].target = "tool";
  ASSERT_TRUE(apply_post_build(t.path(), steps).has_value());
  EXPECT_FALSE(t.exists("/usr/share/doc/bash"));
  EXPECT_TRUE(t.exists("/usr/share/doc"));
  EXPECT_EQ(*read_file_contents(t.at("/etc/new/dir/conf")), "key = value\n");
  struct stat st {};
  ASSERT_EQ(::stat(t.at("/etc/new/dir/conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(*read_file_contents(t.at("/etc/os-release")), "ID=sbx\n");
  char target[64] = {};
  ASSERT_GT(::readlink(t.at("/usr/bin/alias").c_str(), target, sizeof(target) - 1), 0);
  EXPECT_STREQ(target, "tool");
}

// The builder may run as root: a symlink in the tree pointing at a host path must resolve inside
// the tree, never write to the host.
TEST(PostBuild, WritesThroughAbsoluteSymlinksStayInsideTheTree) {
  ScratchTree host, t;
  t.populate_rootfs();
  t.link("/etc/escape", host.path());  // absolute: the host path, if followed naively
  std::vector<PostBuildStep> steps(1);
  steps[0].kind = PostBuildStep::Kind::kWrite;
  steps[0].path = "/etc/escape/pwned";
  steps[0].contents = "x";
  (void)apply_post_build(t.path(), steps);
  EXPECT_FALSE(host.exists("/pwned"));
}

TEST(Trim, EmptyDevKeepsTheDirectoryOnly) {
  ScratchTree t;
  t.dir("/dev");
  t.file("/dev/null", "");
  t.link("/dev/fd", "/proc/self/fd");
  ASSERT_TRUE(empty_dev(t.path()).has_value());
  EXPECT_TRUE(t.exists("/dev"));
  EXPECT_FALSE(t.exists("/dev/null"));
  EXPECT_FALSE(t.exists("/dev/fd"));
}

}  // namespace
}  // namespace sbx::rootfs
