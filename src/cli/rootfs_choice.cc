#include "cli/rootfs_choice.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include "rootfs/store.h"

namespace sbx::cli {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

Result<RootfsChoice> named_tree(const std::string& name, const std::vector<std::string>& stores,
                                const std::string& cwd, const std::string& origin) {
  auto found = rootfs::find_tree(stores, name);
  if (!found) {
    std::string hint = "build it with: sbx rootfs build " + name;
    struct stat st {};
    if (origin == "--rootfs" && ::stat((cwd + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      hint += "; for the directory here, write --rootfs ./" + name;
    }
    return make_error(origin + " " + name + ": no tree named \"" + name + "\" in " + joined(stores) + " (" + hint + ")");
  }
  RootfsChoice choice;
  choice.rootfs = found->root;
  choice.tree_name = found->manifest.name;
  choice.policy = found->manifest.policy;
  choice.note = "tree \"" + choice.tree_name + "\" (" + choice.rootfs + ") from " + origin + ", recipe policy \"" +
                choice.policy + "\"";
  return choice;
}

Result<RootfsChoice> directory(const std::string& value, const std::string& cwd, const std::string& origin) {
  const std::string joined_path = value[0] == '/' ? value : cwd + "/" + value;
  char resolved[PATH_MAX];
  if (::realpath(joined_path.c_str(), resolved) == nullptr) {
    return errno_error(origin + ": host path " + value);
  }
  struct stat st {};
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) return make_error(origin + " " + value + ": not a directory");
  if (std::string(resolved) == "/") {
    return make_error(origin + " /: use " + origin + " host for the host's system directories");
  }
  // A tree's entry in a store holds its manifest and, in root/, the tree: an easy directory to
  // name by mistake, and one with no programs in it.
  struct stat manifest {};
  struct stat root {};
  if (::stat((std::string(resolved) + "/manifest.json").c_str(), &manifest) == 0 && S_ISREG(manifest.st_mode) &&
      ::stat((std::string(resolved) + "/root").c_str(), &root) == 0 && S_ISDIR(root.st_mode)) {
    const std::string inner = value.back() == '/' ? value + "root" : value + "/root";
    return make_error(origin + " " + value + ": this is a tree's entry in a store, not a root; use " + origin + " " +
                      inner + " (or the tree's name with $SBX_ROOTFS_STORE set to its store)");
  }
  RootfsChoice choice;
  choice.rootfs = resolved;
  choice.note = "directory " + choice.rootfs + " from " + origin;
  return choice;
}

}  // namespace

bool is_tree_name(const std::string& value) {
  return value.find('/') == std::string::npos && value != "." && value != "..";
}

Result<RootfsChoice> choose_rootfs(const std::optional<std::string>& flag, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& stores, const std::string& cwd,
                                   const std::string& origin) {
  if (flag) {
    if (flag->empty()) return make_error(origin + ": expected host, a tree name or a directory");
    if (*flag == "host") return RootfsChoice{"host", "", "", "host (from " + origin + " host)"};
    if (is_tree_name(*flag)) return named_tree(*flag, stores, cwd, origin);
    return directory(*flag, cwd, origin);
  }
  if (argv.empty() || argv[0].find('/') != std::string::npos) {
    return RootfsChoice{"host", "", "", "host (the command is a path, not a language name)"};
  }
  if (auto found = rootfs::find_tree_for_command(stores, argv[0])) {
    RootfsChoice choice;
    choice.rootfs = found->root;
    choice.tree_name = found->manifest.name;
    choice.policy = found->manifest.policy;
    choice.note = "tree \"" + choice.tree_name + "\" (" + choice.rootfs + ") for the command \"" + argv[0] +
                  "\", recipe policy \"" + choice.policy + "\"; --rootfs host to use the host's";
    return choice;
  }
  return RootfsChoice{"host", "", "",
                      "host (no built tree lists the command \"" + argv[0] + "\"; searched " + joined(stores) + ")"};
}

}  // namespace sbx::cli
