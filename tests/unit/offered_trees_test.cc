#include "rpc/offered_trees.h"

#include <gtest/gtest.h>

#include "rootfs_test_tree.h"

namespace sbx::rpc {
namespace {

using rootfs::testing::ScratchTree;

TEST(OfferedTrees, EveryStoreTreeOnceWhenTheCallerMayNameAny) {
  ScratchTree user;
  ScratchTree system;
  user.install_tree("python", {"python3"}, "Python 3 for me");
  system.install_tree("python", {"python3"}, "Python 3");
  system.install_tree("bash", {"bash", "sh"}, "Bash");
  const Json trees = offered_trees_json(CallerLimits{}, {user.path(), system.path()});
  ASSERT_EQ(trees.size(), 2u) << trees.dump();
  EXPECT_EQ(trees[0], (Json{{"name", "python"}, {"description", "Python 3 for me"}, {"commands", {"python3"}}}))
      << "the first store's, as a run finds it";
  EXPECT_EQ(trees[1], (Json{{"name", "bash"}, {"description", "Bash"}, {"commands", {"bash", "sh"}}}));
}

TEST(OfferedTrees, OnlyTheCallersOfferedNamesWhenItHasAList) {
  ScratchTree store;
  store.install_tree("python", {"python3"}, "Python 3");
  store.install_tree("bash", {"bash"}, "Bash");
  CallerLimits limits;
  limits.rootfs = std::map<std::string, std::string>{{"py", store.at("/python/root")}, {"debian", "/srv/debian"}};
  const Json trees = offered_trees_json(limits, {store.path()});
  ASSERT_EQ(trees.size(), 2u) << trees.dump();
  EXPECT_EQ(trees[0], (Json{{"name", "debian"}, {"description", ""}, {"commands", Json::array()}}))
      << "a directory that is no store entry has no manifest to describe it";
  EXPECT_EQ(trees[1], (Json{{"name", "py"}, {"description", "Python 3"}, {"commands", {"python3"}}}))
      << "named as the service offers it, described by its manifest";
}

}  // namespace
}  // namespace sbx::rpc
