// The interpreters `language` + `code` can name, and how each is started. The code is written
// to a file that the sandbox sees read-only at /run/sbx/main.EXT; the program starts in
// /workspace, where the request's files are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::rpc {

inline constexpr std::string_view kCodeDir = "/run/sbx";

struct Language {
  std::string name;          // "python"
  std::string interpreter;   // "python3": looked up in the sandbox's PATH
  std::string file_name;     // "main.py"
  std::vector<std::string> aliases;
};

const std::vector<Language>& all_languages();

// By name or alias, case-sensitive ("python", "python3", "javascript", ...).
const Language* find_language(std::string_view name);

// The sandbox's argv for running `code_file` (a path inside the sandbox).
std::vector<std::string> language_argv(const Language& language);

// Whether a run could start the interpreter: it exists in the host's /usr/bin, /bin or
// /usr/local/bin, or a built tree in `tree_stores` provides it (a run that names no root is
// given that tree, as sbx exec picks one for its command).
bool language_installed(const Language& language, const std::vector<std::string>& tree_stores);

}  // namespace sbx::rpc
