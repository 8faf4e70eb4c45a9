// RealHostView against a real directory: a filtered listing answers exactly like a full one for
// the names it keeps, and later questions about the names it dropped still get the truth.
#include "rootfs/host_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "rootfs_test_tree.h"

namespace sbx::rootfs {
namespace {

using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::Contains;

class RealHostViewListing : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.file("/plain", "x");
    tree_.file("/keep-file", "x");
    tree_.dir("/keep-dir");
    tree_.link("/keep-link", "plain");
    tree_.dir("/other-dir");
  }
  static bool starts_with_keep(std::string_view name) { return name.substr(0, 5) == "keep-"; }

  testing::ScratchTree tree_;
};

TEST_F(RealHostViewListing, MatchingKeepsOnlyAcceptedNamesSorted) {
  RealHostView host;
  EXPECT_THAT(host.list_dir_matching(tree_.path(), starts_with_keep), ElementsAre("keep-dir", "keep-file", "keep-link"));
}

TEST_F(RealHostViewListing, MatchingEqualsTheFullListingFiltered) {
  RealHostView full;
  std::vector<std::string> expected;
  for (const auto& name : full.list_dir(tree_.path())) {
    if (starts_with_keep(name)) expected.push_back(name);
  }
  RealHostView filtered;
  EXPECT_EQ(filtered.list_dir_matching(tree_.path(), starts_with_keep), expected);
}

TEST_F(RealHostViewListing, ThePredicateNeverSeesDotEntries) {
  RealHostView host;
  std::vector<std::string> seen;
  host.list_dir_matching(tree_.path(), [&](std::string_view name) {
    seen.emplace_back(name);
    return false;
  });
  EXPECT_THAT(seen, Not(Contains(".")));
  EXPECT_THAT(seen, Not(Contains("..")));
  EXPECT_EQ(seen.size(), 5u);
}

TEST_F(RealHostViewListing, KindsAreRightForKeptAndDroppedNames) {
  RealHostView host;
  host.list_dir_matching(tree_.path(), starts_with_keep);
  EXPECT_EQ(host.kind(tree_.at("/keep-dir")), FileKind::kDirectory);
  EXPECT_EQ(host.kind(tree_.at("/keep-file")), FileKind::kRegular);
  EXPECT_EQ(host.kind(tree_.at("/keep-link")), FileKind::kSymlink);
  // Dropped while listing, so answered by lstat instead.
  EXPECT_EQ(host.kind(tree_.at("/other-dir")), FileKind::kDirectory);
  EXPECT_EQ(host.kind(tree_.at("/plain")), FileKind::kRegular);
  EXPECT_EQ(host.kind(tree_.at("/absent")), std::nullopt);
}

TEST(RealHostViewListingMissing, AnUnreadableDirectoryListsNothing) {
  RealHostView host;
  EXPECT_TRUE(host.list_dir_matching("/nonexistent-sbx-test-dir", [](std::string_view) { return true; }).empty());
}

}  // namespace
}  // namespace sbx::rootfs
