// rm -rf (base/remove_tree.h) and the directory listing under it (base/directory_entries.h):
// everything beneath goes, whatever modes its owner left; symbolic links are removed, never
// followed; a tree deeper than the bound is refused rather than recursed into without end.
// (Mount points: tests/kernel/rootfs_remove_test.cc.)
#include "base/remove_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "base/directory_entries.h"
#include "base/unique_fd.h"
#include "scratch_root.h"

namespace sbx {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using sbx::testing::ScratchRoot;

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

void write_file(const std::string& path, const std::string& text = "x") {
  std::ofstream(path) << text;
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DirectoryEntriesTest, ListsEveryNameButDotAndDotDot) {
  ScratchRoot root("sbx-listing-test");
  ASSERT_FALSE(root.path().empty());
  write_file(root.path() + "/file");
  ASSERT_EQ(::mkdir((root.path() + "/dir").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("/nowhere", (root.path() + "/link").c_str()), 0);
  auto names = directory_entries(root.path());
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_THAT(sorted(*names), ElementsAre("dir", "file", "link"));
}

TEST(DirectoryEntriesTest, ADescriptorIsListedFromItsStartEveryTime) {
  ScratchRoot root("sbx-listing-test");
  ASSERT_FALSE(root.path().empty());
  write_file(root.path() + "/a");
  write_file(root.path() + "/b");
  UniqueFd dir(::open(root.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  for (int i = 0; i < 2; ++i) {
    auto names = directory_entries(dir.get(), root.path());
    ASSERT_TRUE(names) << names.error().message;
    EXPECT_THAT(sorted(*names), ElementsAre("a", "b")) << "listing " << i;
  }
  EXPECT_TRUE(dir.valid()) << "the caller's descriptor stays open";
  EXPECT_NE(::fcntl(dir.get(), F_GETFD), -1);
}

TEST(DirectoryEntriesTest, FailuresNameWhatCouldNotBeListed) {
  ScratchRoot root("sbx-listing-test");
  ASSERT_FALSE(root.path().empty());
  auto missing = directory_entries(root.path() + "/missing");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("open " + root.path() + "/missing"));
  EXPECT_EQ(missing.error().sys_errno, ENOENT);

  write_file(root.path() + "/file");
  UniqueFd file(::open((root.path() + "/file").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file.valid());
  auto not_a_directory = directory_entries(file.get(), "the file");
  ASSERT_FALSE(not_a_directory);
  EXPECT_THAT(not_a_directory.error().message, HasSubstr("list the file"));
}

TEST(RemoveTreeTest, RemovesEverythingBeneathWhateverTheModes) {
  ScratchRoot root("sbx-remove-test");
  ASSERT_FALSE(root.path().empty());
  const std::string top = root.path() + "/top";
  ASSERT_EQ(::mkdir(top.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((top + "/a").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((top + "/a/b").c_str(), 0755), 0);
  write_file(top + "/a/b/deep");
  write_file(top + "/a/file");
  // What a sandbox or an extracted package may leave: no permissions at all, read-only. (Only an
  // ordinary user meets these modes; root reads and writes through them.)
  ASSERT_EQ(::mkdir((top + "/locked").c_str(), 0755), 0);
  write_file(top + "/locked/inside");
  ASSERT_EQ(::chmod((top + "/locked").c_str(), 0), 0);
  ASSERT_EQ(::mkdir((top + "/readonly").c_str(), 0755), 0);
  write_file(top + "/readonly/inside");
  ASSERT_EQ(::chmod((top + "/readonly").c_str(), 0555), 0);

  const Status removed = remove_tree(top);
  // Modes back first, so that a failure leaves nothing the scratch root cannot remove.
  (void)::chmod((top + "/locked").c_str(), 0755);
  (void)::chmod((top + "/readonly").c_str(), 0755);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_FALSE(exists(top));
  EXPECT_TRUE(exists(root.path())) << "only the tree asked for goes";
}

TEST(RemoveTreeTest, RemovesSymbolicLinksWithoutFollowingThem) {
  ScratchRoot root("sbx-remove-test");
  ASSERT_FALSE(root.path().empty());
  const std::string outside = root.path() + "/outside";
  ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
  write_file(outside + "/keep");
  const std::string top = root.path() + "/top";
  ASSERT_EQ(::mkdir(top.c_str(), 0755), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (top + "/to-dir").c_str()), 0);
  ASSERT_EQ(::symlink((outside + "/keep").c_str(), (top + "/to-file").c_str()), 0);

  ASSERT_TRUE(remove_tree(top));
  EXPECT_FALSE(exists(top));
  EXPECT_TRUE(exists(outside + "/keep"));

  // A link given as the tree itself goes too, and its target stays.
  const std::string link = root.path() + "/link";
  ASSERT_EQ(::symlink(outside.c_str(), link.c_str()), 0);
  ASSERT_TRUE(remove_tree(link));
  EXPECT_FALSE(exists(link));
  EXPECT_TRUE(exists(outside + "/keep"));
}

TEST(RemoveTreeTest, SomethingMissingIsAlreadyRemoved) {
  ScratchRoot root("sbx-remove-test");
  ASSERT_FALSE(root.path().empty());
  EXPECT_TRUE(remove_tree(root.path() + "/missing"));
  EXPECT_TRUE(remove_tree(root.path() + "/missing/below"));
  UniqueFd dir(::open(root.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  EXPECT_TRUE(remove_tree_at(dir.get(), "missing", "missing"));
}

TEST(RemoveTreeTest, ATreeDeeperThanTheBoundIsRefusedNotRecursedWithoutEnd) {
  ScratchRoot root("sbx-remove-test");
  ASSERT_FALSE(root.path().empty());
  UniqueFd dir(::open(root.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  ASSERT_EQ(::mkdirat(dir.get(), "deep", 0755), 0);
  dir.reset(::openat(dir.get(), "deep", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int depth = 0; depth < 600; ++depth) {
    ASSERT_EQ(::mkdirat(dir.get(), "d", 0755), 0) << depth;
    dir.reset(::openat(dir.get(), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir.valid()) << depth;
  }
  const Status removed = remove_tree(root.path() + "/deep");
  ASSERT_FALSE(removed);
  EXPECT_THAT(removed.error().message, HasSubstr("nested more than 512 deep"));
  // A tree within the bound is removed whole.
  std::error_code ignored;
  std::filesystem::remove_all(root.path() + "/deep", ignored);
  const std::string shallow = root.path() + "/shallow";
  std::filesystem::create_directories(shallow + "/a/b/c/d/e/f/g/h");
  EXPECT_TRUE(remove_tree(shallow));
  EXPECT_FALSE(exists(shallow));
}

}  // namespace
}  // namespace sbx
