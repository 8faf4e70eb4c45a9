#include "cli/rootfs_choice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rootfs/manifest.h"
#include "rootfs_test_tree.h"

using ::testing::HasSubstr;

namespace sbx::cli {
namespace {

using rootfs::testing::ScratchTree;

class RootfsChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    add_tree("python", {"python", "python3", "pip"});
    add_tree("bash", {"bash", "sh"});
  }
  void add_tree(const std::string& name, std::vector<std::string> commands) {
    store_.dir("/" + name);
    store_.dir("/" + name + "/root");
    rootfs::Manifest m;
    m.name = name;
    m.commands = std::move(commands);
    m.policy = name + "-policy";
    store_.file("/" + name + "/manifest.json", rootfs::manifest_to_json(m));
  }
  std::vector<std::string> stores() const { return {store_.path()}; }

  ScratchTree store_;
  ScratchTree cwd_;
};

TEST_F(RootfsChoiceTest, LanguageNameSelectsItsTree) {
  for (const char* command : {"python", "python3", "pip"}) {
    auto c = choose_rootfs(std::nullopt, {command, "-c", "pass"}, stores(), cwd_.path());
    ASSERT_TRUE(c.has_value()) << c.error().message;
    EXPECT_EQ(c->rootfs, store_.at("/python/root")) << command;
    EXPECT_EQ(c->tree_name, "python");
    EXPECT_EQ(c->policy, "python-policy");
    EXPECT_THAT(c->note, HasSubstr("python"));
  }
  EXPECT_EQ(choose_rootfs(std::nullopt, {"sh", "-c", "true"}, stores(), cwd_.path())->tree_name, "bash");
}

TEST_F(RootfsChoiceTest, OtherCommandsAndPathsUseTheHost) {
  auto ruby = choose_rootfs(std::nullopt, {"ruby"}, stores(), cwd_.path());
  ASSERT_TRUE(ruby.has_value());
  EXPECT_EQ(ruby->rootfs, "host");
  EXPECT_THAT(ruby->note, HasSubstr("no built tree"));
  auto path = choose_rootfs(std::nullopt, {"/usr/bin/python3"}, stores(), cwd_.path());
  ASSERT_TRUE(path.has_value());
  EXPECT_EQ(path->rootfs, "host");
  EXPECT_EQ(choose_rootfs(std::nullopt, {"python"}, {"/nonexistent"}, cwd_.path())->rootfs, "host");
}

TEST_F(RootfsChoiceTest, ExplicitFlagWins) {
  EXPECT_EQ(choose_rootfs(std::string("host"), {"python"}, stores(), cwd_.path())->rootfs, "host");
  auto named = choose_rootfs(std::string("bash"), {"python"}, stores(), cwd_.path());
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->rootfs, store_.at("/bash/root"));
  EXPECT_EQ(named->policy, "bash-policy");
  auto dir = choose_rootfs(store_.at("/python/root"), {"x"}, stores(), cwd_.path());
  ASSERT_TRUE(dir.has_value());
  EXPECT_EQ(dir->rootfs, store_.at("/python/root"));
  EXPECT_TRUE(dir->tree_name.empty());
}

TEST_F(RootfsChoiceTest, UnknownNameSaysHowToBuildItAndHintsAtALocalDirectory) {
  cwd_.dir("/mytree");
  auto r = choose_rootfs(std::string("mytree"), {"x"}, stores(), cwd_.path());
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("--rootfs mytree"));
  EXPECT_THAT(r.error().message, HasSubstr("sbx rootfs build mytree"));
  EXPECT_THAT(r.error().message, HasSubstr("--rootfs ./mytree"));
  auto relative = choose_rootfs(std::string("./mytree"), {"x"}, stores(), cwd_.path());
  ASSERT_TRUE(relative.has_value()) << relative.error().message;
  EXPECT_EQ(relative->rootfs, cwd_.at("/mytree"));
}

TEST_F(RootfsChoiceTest, AStoreEntryIsNotARootAndTheErrorNamesTheOne) {
  auto r = choose_rootfs(store_.at("/python"), {"python3"}, stores(), cwd_.path());
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("--rootfs " + store_.at("/python") + ": this is a tree's entry in a store"));
  EXPECT_THAT(r.error().message, HasSubstr("use --rootfs " + store_.at("/python") + "/root"));
  auto inner = choose_rootfs(store_.at("/python") + "/root", {"python3"}, stores(), cwd_.path());
  ASSERT_TRUE(inner.has_value()) << inner.error().message;
  EXPECT_EQ(inner->rootfs, store_.at("/python/root"));
}

TEST_F(RootfsChoiceTest, RejectsTheHostRootAndNonDirectories) {
  auto root = choose_rootfs(std::string("/"), {"x"}, stores(), cwd_.path());
  ASSERT_FALSE(root.has_value());
  EXPECT_THAT(root.error().message, HasSubstr("--rootfs host"));
  cwd_.file("/file", "x");
  EXPECT_FALSE(choose_rootfs(cwd_.at("/file"), {"x"}, stores(), cwd_.path()).has_value());
  EXPECT_FALSE(choose_rootfs(std::string(""), {"x"}, stores(), cwd_.path()).has_value());
}

}  // namespace
}  // namespace sbx::cli
