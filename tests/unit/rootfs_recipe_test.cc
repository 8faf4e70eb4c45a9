#include "rootfs/recipe.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "policy/validate.h"

using ::testing::HasSubstr;

namespace sbx::rootfs {
namespace {

constexpr const char* kValid = R"(
description: test tree
packages: [python3, python3-numpy]
commands: [python, python3]
default_command: [python3]
policy: python
trim:
  remove: [/usr/share/doc/*]
  keep: [/usr/share/doc/*/copyright]
post_build:
  - remove: /usr/lib/*/tests
  - write: /etc/motd
    contents: "hello\n"
    mode: "0600"
  - symlink: /usr/bin/py
    target: python3
)";

TEST(Recipe, ParsesEveryField) {
  auto r = parse_recipe(kValid, "python", "python.yaml");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->name, "python");
  EXPECT_EQ(r->description, "test tree");
  EXPECT_EQ(r->packages, (std::vector<std::string>{"python3", "python3-numpy"}));
  EXPECT_EQ(r->commands, (std::vector<std::string>{"python", "python3"}));
  EXPECT_EQ(r->default_command, (std::vector<std::string>{"python3"}));
  EXPECT_EQ(r->policy, "python");
  EXPECT_EQ(r->trim.remove, (std::vector<std::string>{"/usr/share/doc/*"}));
  EXPECT_EQ(r->trim.keep, (std::vector<std::string>{"/usr/share/doc/*/copyright"}));
  ASSERT_EQ(r->post_build.size(), 3u);
  EXPECT_EQ(r->post_build[0].kind, PostBuildStep::Kind::kRemove);
  EXPECT_EQ(r->post_build[1].kind, PostBuildStep::Kind::kWrite);
  EXPECT_EQ(r->post_build[1].contents, "hello\n");
  EXPECT_EQ(r->post_build[1].mode, 0600u);
  EXPECT_EQ(r->post_build[2].kind, PostBuildStep::Kind::kSymlink);
  EXPECT_EQ(r->post_build[2].target, "python3");
  EXPECT_EQ(r->sha256.size(), 64u);
}

TEST(Recipe, SameTextSameHashDifferentTextDifferentHash) {
  auto a = parse_recipe(kValid, "python", "a");
  auto b = parse_recipe(kValid, "python", "b");
  auto c = parse_recipe(std::string(kValid) + "\n# comment\n", "python", "c");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_NE(a->sha256, c->sha256);
}

struct BadCase {
  std::string yaml;
  const char* field;  // the error must name it
};

TEST(Recipe, ErrorsNameTheField) {
  const std::string base = "description: d\npackages: [bash]\ndefault_command: [bash]\npolicy: bash\n";
  const BadCase cases[] = {
      {"packages: [bash]\ndefault_command: [bash]\npolicy: bash\n", "description"},
      {"description: d\ndefault_command: [bash]\npolicy: bash\n", "packages"},
      {"description: d\npackages: []\ndefault_command: [bash]\npolicy: bash\n", "packages"},
      {"description: d\npackages: [bash, Bad_Name]\ndefault_command: [bash]\npolicy: bash\n", "packages[1]"},
      {"description: d\npackages: bash\ndefault_command: [bash]\npolicy: bash\n", "packages"},
      {"description: d\npackages: [bash]\npolicy: bash\n", "default_command"},
      {"description: d\npackages: [bash]\ndefault_command: [bash]\n", "policy"},
      {"description: d\npackages: [bash]\ndefault_command: [bash]\npolicy: ../x\n", "policy"},
      {(base + "commands: [bash, /bin/sh]\n"), "commands[1]"},
      {(base + "trim:\n  remove: [usr/share/doc]\n"), "trim.remove[0]"},
      {(base + "trim:\n  remove: [/../etc]\n"), "trim.remove[0]"},
      {(base + "trim:\n  drop: [/x]\n"), "trim.drop"},
      {(base + "post_build:\n  - write: /etc/x\n"), "post_build[0].contents"},
      {(base + "post_build:\n  - write: /etc/x\n    contents: x\n    mode: rw\n"), "post_build[0].mode"},
      {(base + "post_build:\n  - symlink: /x\n"), "post_build[0].target"},
      {(base + "post_build:\n  - chmod: /x\n"), "post_build[0]"},
      {(base + "post_build:\n  - remove: relative\n"), "post_build[0].remove"},
      {(base + "pakages: [x]\n"), "pakages"},
      {(base + "name: other\n"), "name"},
  };
  for (const auto& c : cases) {
    auto r = parse_recipe(c.yaml, "t", "t.yaml");
    ASSERT_FALSE(r.has_value()) << "accepted:\n" << c.yaml;
    EXPECT_THAT(r.error().message, HasSubstr(std::string(": ") + c.field + ":")) << c.yaml;
    EXPECT_THAT(r.error().message, HasSubstr("t.yaml")) << c.yaml;
  }
}

TEST(Recipe, ErrorsCarryTheLine) {
  auto r = parse_recipe("description: d\npackages:\n  - bash\n  - BAD\n", "t", "t.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("t.yaml:4: packages[1]"));
}

TEST(Recipe, InvalidYamlIsAnErrorNotACrash) {
  auto r = parse_recipe("description: [unclosed\n", "t", "t.yaml");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("invalid YAML"));
}

TEST(Recipe, NamesAreSafeDirectoryNames) {
  EXPECT_TRUE(policy::valid_tree_name("python"));
  EXPECT_TRUE(policy::valid_tree_name("py3-data_sci"));
  for (const char* bad : {"", "Python", ".hidden", "a/b", "..", "-x", "x y"}) {
    EXPECT_FALSE(policy::valid_tree_name(bad)) << bad;
  }
  EXPECT_FALSE(parse_recipe(kValid, "../x", "x").has_value());
}

TEST(Recipe, FindsFilesByNameOrPath) {
  const std::string dir = ::testing::TempDir() + "/recipes-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  std::ofstream(dir + "/demo.yaml") << kValid;
  auto found = find_recipe_file("demo", {"/nonexistent", dir});
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_EQ(*found, dir + "/demo.yaml");
  EXPECT_EQ(*find_recipe_file("./x.yaml", {}), "./x.yaml");
  auto missing = find_recipe_file("nope", {dir});
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr(dir));
  EXPECT_EQ(recipe_names(dir), std::vector<std::string>{"demo"});
  auto loaded = load_recipe(dir + "/demo.yaml");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->name, "demo");
  std::remove((dir + "/demo.yaml").c_str());
  ::rmdir(dir.c_str());
}

// Every recipe shipped in rootfs-builder/recipes parses.
TEST(Recipe, ShippedRecipesAreValid) {
  const std::string dir = std::string(SBX_SOURCE_DIR) + "/rootfs-builder/recipes";
  const auto names = recipe_names(dir);
  for (const char* required : {"python", "node", "bash", "build", "go", "rust", "java", "r"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required << ".yaml missing";
  }
  for (const auto& name : names) {
    auto r = load_recipe(dir + "/" + name + ".yaml");
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    if (r) {
      EXPECT_FALSE(r->commands.empty()) << name;
      // Runs in the tree use this policy by name: it must ship beside the recipes.
      struct stat st {};
      EXPECT_EQ(::stat((std::string(SBX_SOURCE_DIR) + "/policies/" + r->policy + ".yaml").c_str(), &st), 0)
          << name << ".yaml names the policy \"" << r->policy << "\", which policies/ lacks";
    }
  }
}

}  // namespace
}  // namespace sbx::rootfs
