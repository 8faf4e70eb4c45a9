// A rootfs recipe: the data that says what goes into a prebuilt language tree. Recipes live in
// rootfs-builder/recipes/NAME.yaml; parsing validates every field and names it in errors.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx::rootfs {

// One declarative step run on the finished tree, in order.
struct PostBuildStep {
  enum class Kind { kRemove, kWrite, kSymlink };
  Kind kind = Kind::kRemove;
  std::string path;      // absolute inside the tree; for kRemove an fnmatch(3) pattern
  std::string contents;  // kWrite
  mode_t mode = 0644;    // kWrite
  std::string target;    // kSymlink: the link text
};

// dpkg path-exclude/path-include semantics: a path matching a `remove` pattern and no `keep`
// pattern is deleted; a directory only once it is empty. Patterns are fnmatch(3) without
// FNM_PATHNAME, so `*` also matches '/'.
struct TrimRules {
  std::vector<std::string> remove;
  std::vector<std::string> keep;
};

struct Recipe {
  std::string name;         // the file's stem; also the tree's name in the store
  std::string description;
  std::vector<std::string> packages;  // Debian packages on top of the minbase variant
  // Command names (first word of `sbx exec COMMAND`) that select this tree automatically.
  std::vector<std::string> commands;
  std::vector<std::string> default_command;  // argv when the tree is run with no command
  std::string policy;                        // the policy name runs in this tree use
  TrimRules trim;
  std::vector<PostBuildStep> post_build;
  std::string sha256;  // of the recipe file's bytes: the tree records which recipe made it
};

// Parses recipe YAML. `origin` prefixes errors ("python.yaml"), which then name the field and
// its line: "python.yaml:7: packages[2]: ...".
Result<Recipe> parse_recipe(std::string_view text, std::string_view name, std::string_view origin);

// Reads and parses a recipe file; its name is the file's stem.
Result<Recipe> load_recipe(const std::string& path);

// A name ("python") is looked up as NAME.yaml in each of `dirs`, in order; an argument that
// contains a '/' or ends in .yaml is taken as a file path.
Result<std::string> find_recipe_file(std::string_view name_or_path, const std::vector<std::string>& dirs);

// Names of the recipes in `dir`, sorted.
std::vector<std::string> recipe_names(const std::string& dir);

}  // namespace sbx::rootfs
