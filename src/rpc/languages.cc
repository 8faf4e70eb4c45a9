#include "rpc/languages.h"

#include "rootfs/store.h"

#include <unistd.h>

namespace sbx::rpc {

const std::vector<Language>& all_languages() {
  static const std::vector<Language> kLanguages = {
      {"python", "python3", "main.py", {"python3", "py"}},
      {"bash", "bash", "main.sh", {}},
      {"sh", "sh", "main.sh", {"shell"}},
      {"node", "node", "main.js", {"javascript", "js", "nodejs"}},
      {"ruby", "ruby", "main.rb", {"rb"}},
      {"perl", "perl", "main.pl", {"pl"}},
  };
  return kLanguages;
}

const Language* find_language(std::string_view name) {
  for (const auto& language : all_languages()) {
    if (language.name == name) return &language;
    for (const auto& alias : language.aliases) {
      if (alias == name) return &language;
    }
  }
  return nullptr;
}

std::vector<std::string> language_argv(const Language& language) {
  return {language.interpreter, std::string(kCodeDir) + "/" + language.file_name};
}

bool language_installed(const Language& language, const std::vector<std::string>& tree_stores) {
  for (const char* dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"}) {
    if (::access((dir + language.interpreter).c_str(), X_OK) == 0) return true;
  }
  return rootfs::find_tree_for_command(tree_stores, language.interpreter).has_value();
}

}  // namespace sbx::rpc
