#include "rootfs/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "base/file_contents.h"
#include "rootfs/manifest.h"
#include "rootfs_test_tree.h"

using ::testing::HasSubstr;

namespace sbx::rootfs {
namespace {

using testing::ScratchTree;

Getenv env_of(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(StorePath, RootUsesTheSystemStore) {
  EXPECT_EQ(*default_store_dir(0, env_of({{"HOME", "/root"}})), "/var/lib/sbx/rootfs");
}

TEST(StorePath, UserUsesXdgDataHomeThenHome) {
  EXPECT_EQ(*default_store_dir(1000, env_of({{"HOME", "/home/a"}})), "/home/a/.local/share/sbx/rootfs");
  EXPECT_EQ(*default_store_dir(1000, env_of({{"HOME", "/home/a"}, {"XDG_DATA_HOME", "/data"}})),
            "/data/sbx/rootfs");
  // The XDG spec says a relative value is invalid: ignore it.
  EXPECT_EQ(*default_store_dir(1000, env_of({{"HOME", "/home/a"}, {"XDG_DATA_HOME", "rel"}})),
            "/home/a/.local/share/sbx/rootfs");
  auto none = default_store_dir(1000, env_of({}));
  ASSERT_FALSE(none.has_value());
  EXPECT_THAT(none.error().message, HasSubstr("SBX_ROOTFS_STORE"));
}

TEST(StorePath, EnvironmentOverridesForEveryone) {
  EXPECT_EQ(*default_store_dir(0, env_of({{"SBX_ROOTFS_STORE", "/s"}})), "/s");
  EXPECT_EQ(*default_store_dir(1000, env_of({{"SBX_ROOTFS_STORE", "/s"}, {"HOME", "/h"}})), "/s");
}

TEST(StorePath, UsersAlsoFindTheSystemStore) {
  EXPECT_EQ(lookup_store_dirs(1000, env_of({{"HOME", "/h"}})),
            (std::vector<std::string>{"/h/.local/share/sbx/rootfs", "/var/lib/sbx/rootfs"}));
  EXPECT_EQ(lookup_store_dirs(0, env_of({})), std::vector<std::string>{"/var/lib/sbx/rootfs"});
  EXPECT_EQ(lookup_store_dirs(1000, env_of({{"SBX_ROOTFS_STORE", "/s"}})), std::vector<std::string>{"/s"});
}

TEST(BuildDirs, NameCarriesThePid) {
  EXPECT_EQ(build_dir("/s", "python", 1234), "/s/.build-python-1234");
  EXPECT_EQ(build_dir_pid(".build-python-1234"), 1234);
  EXPECT_EQ(build_dir_pid(".build-my-tree-77"), 77);
  EXPECT_FALSE(build_dir_pid("python").has_value());
  EXPECT_FALSE(build_dir_pid(".build-python-x").has_value());
  EXPECT_FALSE(build_dir_pid(".build-python-").has_value());
}

TEST(StaleBuilds, RemovesOnlyThoseWhoseProcessIsGone) {
  ScratchTree store;
  store.dir("/.build-python-111");
  store.dir("/.build-python-111/root");
  store.dir("/.build-python-111/root/usr", 0555);  // as left by an extraction as a user
  store.file("/.build-python-111/root/usr/x", "x");
  ::chmod(store.at("/.build-python-111/root/usr").c_str(), 0555);
  store.dir("/.build-node-222");
  store.install_tree("bash", {"bash"});
  const auto removed = remove_stale_builds(store.path(), [](pid_t pid) { return pid == 222; });
  EXPECT_EQ(removed, std::vector<std::string>{".build-python-111"});
  EXPECT_FALSE(store.exists("/.build-python-111"));
  EXPECT_TRUE(store.exists("/.build-node-222"));
  EXPECT_TRUE(store.exists("/bash/manifest.json"));
}

TEST(StaleBuilds, DefaultCheckKeepsALiveProcess) {
  ScratchTree store;
  store.dir("/.build-x-1");  // pid 1 is alive
  EXPECT_TRUE(remove_stale_builds(store.path()).empty());
  EXPECT_TRUE(store.exists("/.build-x-1"));
}

TEST(Install, FirstInstallThenAtomicReplace) {
  ScratchTree store;
  store.dir("/.build-t-1");
  store.file("/.build-t-1/marker", "old");
  auto first = install_build(store.path(), "t", store.at("/.build-t-1"));
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(*first);
  store.dir("/.build-t-2");
  store.file("/.build-t-2/marker", "new");
  auto second = install_build(store.path(), "t", store.at("/.build-t-2"));
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_TRUE(*second);
  EXPECT_EQ(*read_file_contents(store.at("/t/marker")), "new");
  // The old tree was swapped to the build path, for the caller to delete.
  EXPECT_EQ(*read_file_contents(store.at("/.build-t-2/marker")), "old");
}

TEST(Lookup, ByNameAndByCommandAcrossStores) {
  ScratchTree user, system;
  user.install_tree("python", {"python", "python3"});
  system.install_tree("bash", {"bash", "sh"});
  system.install_tree("python", {"python3"});
  const std::vector<std::string> stores{user.path(), system.path()};
  EXPECT_EQ(tree_names(system.path()), (std::vector<std::string>{"bash", "python"}));

  auto py = find_tree_for_command(stores, "python3");
  ASSERT_TRUE(py.has_value());
  EXPECT_EQ(py->root, user.at("/python/root"));  // the user's own store wins
  auto sh = find_tree_for_command(stores, "sh");
  ASSERT_TRUE(sh.has_value());
  EXPECT_EQ(sh->manifest.name, "bash");
  EXPECT_EQ(sh->manifest.policy, "bash");
  EXPECT_FALSE(find_tree_for_command(stores, "ruby").has_value());

  EXPECT_EQ(find_tree(stores, "bash")->root, system.at("/bash/root"));
  EXPECT_FALSE(find_tree(stores, "ruby").has_value());
  EXPECT_FALSE(find_tree(stores, "../python").has_value());
}

TEST(Lookup, IgnoresBuildsInProgressAndBrokenManifests) {
  ScratchTree store;
  store.install_tree("good", {"good"});
  store.dir("/.build-good-5");
  store.dir("/broken");
  store.file("/broken/manifest.json", "{");
  EXPECT_FALSE(find_tree_for_command({store.path()}, "broken").has_value());
  EXPECT_TRUE(find_tree_for_command({store.path()}, "good").has_value());
}

}  // namespace
}  // namespace sbx::rootfs
