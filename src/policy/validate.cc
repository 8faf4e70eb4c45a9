#include "policy/validate.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "base/paths.h"

namespace sbx::policy {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

bool valid_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '_') return false;
  }
  return true;
}

bool valid_secret_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

std::string user_name_clash(uid_t uid, std::string_view user) {
  for (const auto& [name, owner] : {std::pair<std::string_view, uid_t>{"root", 0}, {"nobody", 65534}}) {
    if (user == name && uid != owner) {
      return "\"" + std::string(user) + "\" is uid " + std::to_string(owner) + "'s name in the sandbox; give uid " +
             std::to_string(uid) + " another name, or set uid: " + std::to_string(owner);
    }
  }
  return "";
}

// RFC 1123 labels (letters, digits, inner hyphens) joined by dots, at most 64 bytes in all
// (the kernel's limit).
bool valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::string_view label = name.substr(label_start, i - label_start);
      if (label.empty() || label.front() == '-' || label.back() == '-') return false;
      label_start = i + 1;
      continue;
    }
    if (!is_alnum(name[i]) && name[i] != '-') return false;
  }
  return true;
}

bool valid_user_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] == '-') return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

bool valid_tree_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok_first(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return ok_first(c) || c == '_' || c == '-'; });
}

bool valid_policy_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

Result<std::string> sandbox_mount_target(std::string_view path) {
  SBX_ASSIGN_OR_RETURN(std::string target, normalize_sandbox_path(path));
  if (target == "/") return make_error("cannot mount over the sandbox root /");
  if (path_is_within(target, "/proc") || path_is_within(target, "/dev")) {
    return make_error("cannot mount over " + target + ": /proc and /dev are managed by sbx");
  }
  return target;
}

Result<std::string> absolute_host_path(std::string_view path) {
  // The same lexical rules as sandbox paths; the host side is resolved with realpath at run time.
  return normalize_sandbox_path(path);
}

}  // namespace sbx::policy
