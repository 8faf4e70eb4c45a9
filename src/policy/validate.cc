#include "policy/validate.h"

#include <cctype>

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

bool valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '-' && c != '.') return false;
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
