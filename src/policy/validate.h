// Checks on single policy values, shared by the YAML loader and the command-line flags so both
// accept exactly the same things. Messages say what is wrong, not where: callers add that.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx::policy {

// Letters, digits and _, not starting with a digit.
bool valid_env_name(std::string_view name);

// A secret's name (--secret, secrets in a request): letters, digits, _ and -, not starting with
// a digit. It is the variable's name where the secret is passed in, and shows in [REDACTED:name].
bool valid_secret_name(std::string_view name);

// RFC 1123: dot-separated labels of letters, digits and inner '-', 1 to 64 characters.
bool valid_hostname(std::string_view name);
inline constexpr const char* kHostnameRule = "letters, digits, '-', '.', at most 64";

// "root" and "nobody" are uid 0's and uid 65534's names in the sandbox's /etc/passwd; a user
// with another uid cannot be called so too. Empty when `user` may name `uid`, else why not.
std::string user_name_clash(uid_t uid, std::string_view user);

// What /etc/passwd can hold safely: letters, digits, '_', '-', '.', not starting with '-',
// 1 to 32 characters.
bool valid_user_name(std::string_view name);

// A policy's own name (the file name without .yaml): letters, digits, '_', '-', '.', not
// starting with '.'.
bool valid_policy_name(std::string_view name);

// A language tree's name, as a recipe, a store entry and a policy's rootfs use it:
// [a-z0-9][a-z0-9_-]*, at most 64 bytes.
bool valid_tree_name(std::string_view name);

// A mount target inside the sandbox, normalized. Not "/", and not under /proc or /dev (sbx
// manages those).
Result<std::string> sandbox_mount_target(std::string_view path);

// An absolute host path, normalized lexically ("//" and "/./" collapsed, ".." refused).
Result<std::string> absolute_host_path(std::string_view path);

}  // namespace sbx::policy
