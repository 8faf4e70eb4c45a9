#include "rootfs/recipe.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>

#include <yaml-cpp/yaml.h>

#include "base/directory_entries.h"
#include "base/file_contents.h"
#include "base/sha256.h"
#include "base/yaml_document.h"
#include "policy/validate.h"

namespace sbx::rootfs {
namespace {

// Field errors carry the YAML line so a typo is found without searching.
class FieldErrors {
 public:
  explicit FieldErrors(std::string_view origin) : origin_(origin) {}
  Error at(const YAML::Node& node, std::string_view field, std::string_view what) const {
    std::string where = origin_;
    if (node.IsDefined() && node.Mark().line >= 0) where += ":" + std::to_string(node.Mark().line + 1);
    return make_error(where + ": " + std::string(field) + ": " + std::string(what));
  }

 private:
  std::string origin_;
};

bool valid_package_name(std::string_view name) {
  // Debian policy 5.6.1: lower case letters, digits, + - . ; at least two characters.
  if (name.size() < 2 || !(std::islower(static_cast<unsigned char>(name[0])) ||
                           std::isdigit(static_cast<unsigned char>(name[0])))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '+' || c == '-' || c == '.';
  });
}

bool valid_command_word(std::string_view word) {
  if (word.empty() || word.size() > 64 || word == "." || word == "..") return false;
  return std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '+';
  });
}

bool valid_tree_path(std::string_view path) {
  if (path.size() < 2 || path[0] != '/') return false;
  if (path.find('\0') != std::string_view::npos) return false;
  // No climbing out of the tree: "/../etc" or "/a/../../x".
  return path.find("/../") == std::string_view::npos && !path.ends_with("/..");
}

Result<std::string> scalar(const YAML::Node& node, const FieldErrors& errors, std::string_view field) {
  if (!node.IsScalar()) return errors.at(node, field, "expected a string");
  return node.Scalar();
}

Result<std::vector<std::string>> string_list(const YAML::Node& node, const FieldErrors& errors,
                                             std::string_view field) {
  if (!node.IsSequence()) return errors.at(node, field, "expected a list of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item = std::string(field) + "[" + std::to_string(i) + "]";
    SBX_ASSIGN_OR_RETURN(std::string value, scalar(node[i], errors, item));
    out.push_back(std::move(value));
  }
  return out;
}

Result<mode_t> parse_mode(const YAML::Node& node, const FieldErrors& errors, std::string_view field) {
  SBX_ASSIGN_OR_RETURN(std::string text, scalar(node, errors, field));
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos) {
    return errors.at(node, field, "expected an octal mode such as \"0644\", got \"" + text + "\"");
  }
  return static_cast<mode_t>(std::stoul(text, nullptr, 8));
}

Status check_keys(const YAML::Node& map, const std::set<std::string>& allowed, const FieldErrors& errors,
                  std::string_view field_prefix) {
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>();
    if (allowed.count(key) == 0) {
      std::string known;
      for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
      return errors.at(entry.first, std::string(field_prefix) + key, "unknown field (known: " + known + ")");
    }
  }
  return {};
}

Result<std::vector<std::string>> pattern_list(const YAML::Node& node, const FieldErrors& errors,
                                              std::string_view field) {
  SBX_ASSIGN_OR_RETURN(auto patterns, string_list(node, errors, field));
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (!valid_tree_path(patterns[i])) {
      return errors.at(node[i], std::string(field) + "[" + std::to_string(i) + "]",
                       "expected an absolute path pattern inside the tree such as /usr/share/doc/*, got \"" +
                           patterns[i] + "\"");
    }
  }
  return patterns;
}

Result<TrimRules> parse_trim(const YAML::Node& node, const FieldErrors& errors) {
  if (!node.IsMap()) return errors.at(node, "trim", "expected a map with remove: and keep: lists");
  SBX_RETURN_IF_ERROR(check_keys(node, {"remove", "keep"}, errors, "trim."));
  TrimRules rules;
  if (node["remove"]) {
    SBX_ASSIGN_OR_RETURN(rules.remove, pattern_list(node["remove"], errors, "trim.remove"));
  }
  if (node["keep"]) {
    SBX_ASSIGN_OR_RETURN(rules.keep, pattern_list(node["keep"], errors, "trim.keep"));
  }
  return rules;
}

Result<PostBuildStep> parse_step(const YAML::Node& node, const FieldErrors& errors, const std::string& field) {
  if (!node.IsMap()) return errors.at(node, field, "expected a map: {remove: PATH}, {write: PATH, ...} or {symlink: PATH, ...}");
  PostBuildStep step;
  std::string path_key;
  if (node["remove"]) {
    step.kind = PostBuildStep::Kind::kRemove;
    path_key = "remove";
    SBX_RETURN_IF_ERROR(check_keys(node, {"remove"}, errors, field + "."));
  } else if (node["write"]) {
    step.kind = PostBuildStep::Kind::kWrite;
    path_key = "write";
    SBX_RETURN_IF_ERROR(check_keys(node, {"write", "contents", "mode"}, errors, field + "."));
    if (!node["contents"]) return errors.at(node, field + ".contents", "a write step needs the file's contents");
    SBX_ASSIGN_OR_RETURN(step.contents, scalar(node["contents"], errors, field + ".contents"));
    if (node["mode"]) {
      SBX_ASSIGN_OR_RETURN(step.mode, parse_mode(node["mode"], errors, field + ".mode"));
    }
  } else if (node["symlink"]) {
    step.kind = PostBuildStep::Kind::kSymlink;
    path_key = "symlink";
    SBX_RETURN_IF_ERROR(check_keys(node, {"symlink", "target"}, errors, field + "."));
    if (!node["target"]) return errors.at(node, field + ".target", "a symlink step needs the link's target");
    SBX_ASSIGN_OR_RETURN(step.target, scalar(node["target"], errors, field + ".target"));
    if (step.target.empty()) return errors.at(node["target"], field + ".target", "must not be empty");
  } else {
    return errors.at(node, field, "expected one of remove:, write: or symlink:");
  }
  const std::string path_field = field + "." + path_key;
  SBX_ASSIGN_OR_RETURN(step.path, scalar(node[path_key], errors, path_field));
  if (!valid_tree_path(step.path)) {
    return errors.at(node[path_key], path_field, "expected an absolute path inside the tree, got \"" + step.path + "\"");
  }
  return step;
}

Status parse_fields(const YAML::Node& root, const FieldErrors& errors, Recipe& r) {
  if (!root.IsMap()) return errors.at(root, "recipe", "expected a YAML map of fields");
  SBX_RETURN_IF_ERROR(check_keys(
      root, {"name", "description", "packages", "commands", "default_command", "policy", "trim", "post_build"},
      errors, ""));
  if (root["name"]) {
    SBX_ASSIGN_OR_RETURN(std::string name, scalar(root["name"], errors, "name"));
    if (name != r.name) {
      return errors.at(root["name"], "name", "\"" + name + "\" differs from the file name \"" + r.name + ".yaml\"");
    }
  }
  if (!root["description"]) return errors.at(root, "description", "missing (one line saying what the tree is for)");
  SBX_ASSIGN_OR_RETURN(r.description, scalar(root["description"], errors, "description"));

  if (!root["packages"]) return errors.at(root, "packages", "missing (the Debian packages to install)");
  SBX_ASSIGN_OR_RETURN(r.packages, string_list(root["packages"], errors, "packages"));
  if (r.packages.empty()) return errors.at(root["packages"], "packages", "must list at least one package");
  for (size_t i = 0; i < r.packages.size(); ++i) {
    if (!valid_package_name(r.packages[i])) {
      return errors.at(root["packages"][i], "packages[" + std::to_string(i) + "]",
                       "\"" + r.packages[i] + "\" is not a Debian package name (a-z, 0-9, + - .)");
    }
  }
  if (root["commands"]) {
    SBX_ASSIGN_OR_RETURN(r.commands, string_list(root["commands"], errors, "commands"));
    for (size_t i = 0; i < r.commands.size(); ++i) {
      if (!valid_command_word(r.commands[i])) {
        return errors.at(root["commands"][i], "commands[" + std::to_string(i) + "]",
                         "\"" + r.commands[i] + "\" is not a bare command name (no '/', no spaces)");
      }
    }
  }
  if (!root["default_command"]) return errors.at(root, "default_command", "missing (e.g. [python3])");
  SBX_ASSIGN_OR_RETURN(r.default_command, string_list(root["default_command"], errors, "default_command"));
  if (r.default_command.empty() || r.default_command[0].empty()) {
    return errors.at(root["default_command"], "default_command", "must name a program");
  }
  if (!root["policy"]) return errors.at(root, "policy", "missing (the policy name runs use, e.g. default)");
  SBX_ASSIGN_OR_RETURN(r.policy, scalar(root["policy"], errors, "policy"));
  if (!policy::valid_tree_name(r.policy)) {
    return errors.at(root["policy"], "policy", "\"" + r.policy + "\" is not a policy name ([a-z0-9_-]+)");
  }
  if (root["trim"]) {
    SBX_ASSIGN_OR_RETURN(r.trim, parse_trim(root["trim"], errors));
  }
  if (root["post_build"]) {
    const YAML::Node steps = root["post_build"];
    if (!steps.IsSequence()) return errors.at(steps, "post_build", "expected a list of steps");
    for (size_t i = 0; i < steps.size(); ++i) {
      SBX_ASSIGN_OR_RETURN(PostBuildStep step, parse_step(steps[i], errors, "post_build[" + std::to_string(i) + "]"));
      r.post_build.push_back(std::move(step));
    }
  }
  return {};
}

}  // namespace

Result<Recipe> parse_recipe(std::string_view text, std::string_view name, std::string_view origin) {
  const FieldErrors errors(origin);
  Recipe recipe;
  recipe.name = std::string(name);
  if (!policy::valid_tree_name(recipe.name)) {
    return make_error(std::string(origin) + ": the recipe name \"" + recipe.name +
                      "\" must be lower-case letters, digits, '_' or '-'");
  }
  // yaml-cpp reports errors by throwing; they stop here.
  try {
    const YAML::Node root = load_yaml_document(text);
    SBX_RETURN_IF_ERROR(parse_fields(root, errors, recipe));
  } catch (const YAML::Exception& e) {
    std::string where = std::string(origin);
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1);
    return make_error(where + ": invalid YAML: " + e.msg);
  }
  recipe.sha256 = sha256_hex(text);
  return recipe;
}

Result<Recipe> load_recipe(const std::string& path) {
  auto text = read_file_contents(path);
  if (!text) return std::move(text).error().context("cannot read the recipe");
  std::string file = path.substr(path.rfind('/') + 1);
  std::string stem = file.ends_with(".yaml") ? file.substr(0, file.size() - 5) : file;
  return parse_recipe(*text, stem, path);
}

Result<std::string> find_recipe_file(std::string_view name_or_path, const std::vector<std::string>& dirs) {
  const std::string arg(name_or_path);
  if (arg.find('/') != std::string::npos || arg.ends_with(".yaml")) return arg;
  if (!policy::valid_tree_name(arg)) {
    return make_error("\"" + arg + "\" is not a recipe name (lower-case letters, digits, '_' or '-')");
  }
  std::string searched;
  for (const auto& dir : dirs) {
    const std::string candidate = dir + "/" + arg + ".yaml";
    if (::access(candidate.c_str(), R_OK) == 0) return candidate;
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  return make_error("no recipe named \"" + arg + "\" (looked in " + (searched.empty() ? "nothing" : searched) +
                    "; see sbx rootfs recipes, or pass --recipes DIR or a FILE.yaml)");
}

std::vector<std::string> recipe_names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& file : directory_entries(dir).value_or({})) {
    if (file.size() > 5 && file.ends_with(".yaml")) {
      std::string stem = file.substr(0, file.size() - 5);
      if (policy::valid_tree_name(stem)) names.push_back(std::move(stem));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sbx::rootfs
