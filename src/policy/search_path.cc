#include "policy/search_path.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "base/directory_entries.h"
#include "policy/validate.h"

#ifndef SBX_POLICY_DATADIR
#define SBX_POLICY_DATADIR "/usr/local/share/sbx/policies"
#endif

namespace sbx::policy {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string canonical(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

std::string dir_of(const std::string& file) {
  const size_t slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : file.substr(0, slash);
}

}  // namespace

std::vector<SearchDir> policy_search_path(const Getenv& getenv) {
  std::vector<SearchDir> dirs;
  if (auto list = getenv("SBX_POLICY_PATH")) {
    size_t start = 0;
    while (start <= list->size()) {
      const size_t colon = std::min(list->find(':', start), list->size());
      if (colon > start) dirs.push_back({list->substr(start, colon - start), "SBX_POLICY_PATH"});
      start = colon + 1;
    }
  }
  auto xdg = getenv("XDG_CONFIG_HOME");
  auto home = getenv("HOME");
  if (xdg && !xdg->empty() && (*xdg)[0] == '/') {
    dirs.push_back({*xdg + "/sbx/policies", "user"});
  } else if (home && !home->empty()) {
    dirs.push_back({*home + "/.config/sbx/policies", "user"});
  }
  dirs.push_back({"/etc/sbx/policies", "system"});
  dirs.push_back({SBX_POLICY_DATADIR, "installed"});
#ifdef SBX_POLICY_BUILD_TREE_DIR
  dirs.push_back({SBX_POLICY_BUILD_TREE_DIR, "build tree"});
#endif
  return dirs;
}

bool names_a_file(std::string_view name_or_path) {
  return name_or_path.find('/') != std::string_view::npos || ends_with(name_or_path, ".yaml") ||
         ends_with(name_or_path, ".yml") || ends_with(name_or_path, ".json");
}

Result<std::string> find_policy(std::string_view name_or_path, const std::vector<SearchDir>& dirs,
                                const std::string& base_dir, const std::string& skip) {
  const std::string arg(name_or_path);
  if (names_a_file(arg)) {
    // Lexically normal ("/w/./p.yaml" -> "/w/p.yaml"): the path is shown in every error.
    const std::string path =
        std::filesystem::path(arg[0] == '/' || base_dir.empty() ? arg : base_dir + "/" + arg).lexically_normal();
    if (!is_regular_file(path)) return make_error("policy file " + path + " does not exist");
    return path;
  }
  if (!valid_policy_name(arg)) {
    return make_error("\"" + arg + "\" is not a policy name (letters, digits, _ - .) or a path (with a /)");
  }
  std::string searched;
  for (const auto& dir : dirs) {
    const std::string path = dir.path + "/" + arg + ".yaml";
    searched += (searched.empty() ? "" : ", ") + dir.path;
    if (!is_regular_file(path)) continue;
    if (!skip.empty() && canonical(path) == skip) continue;
    return path;
  }
  return make_error("no policy named \"" + arg + "\" (searched " + searched + "; see sbx policy list)");
}

Result<LoadedPolicy> load_policy(std::string_view name_or_path, const std::vector<SearchDir>& dirs,
                                 const std::string& cwd) {
  SBX_ASSIGN_OR_RETURN(const std::string path, find_policy(name_or_path, dirs, cwd));
  const ParentFinder find_parent = [&dirs](const std::string& name, const std::string& from) {
    return find_policy(name, dirs, dir_of(from), canonical(from));
  };
  return load_policy_file(path, find_parent);
}

std::vector<PolicyListing> list_policies(const std::vector<SearchDir>& dirs) {
  std::vector<PolicyListing> out;
  for (const auto& dir : dirs) {
    std::vector<std::string> names;
    for (const auto& file : directory_entries(dir.path).value_or({})) {
      if (!ends_with(file, ".yaml")) continue;
      const std::string name = file.substr(0, file.size() - 5);
      if (valid_policy_name(name) && is_regular_file(dir.path + "/" + file)) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      bool shadowed = false;
      for (const auto& earlier : out) shadowed = shadowed || earlier.name == name;
      out.push_back({name, dir.path + "/" + name + ".yaml", dir.kind, shadowed});
    }
  }
  return out;
}

}  // namespace sbx::policy
