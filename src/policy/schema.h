// Internal to the policy loader: applies one YAML document onto a Policy. Keys the document
// leaves out keep their value; mappings merge key by key (environment.set, rlimits and every
// section), lists and single values replace.
#pragma once

#include "base/result.h"
#include "policy/policy.h"
#include "policy/yaml_cursor.h"

namespace sbx::policy::detail {

// Every top-level key of a policy document, in the order they are printed.
inline constexpr std::string_view kTopLevelKeys[] = {"extends",  "rootfs",  "identity", "workspace",
                                                     "filesystem", "environment", "network", "rlimits",
                                                     "landlock", "seccomp", "limits",   "secrets"};

// `extends` is the loader's business and is skipped here.
Status apply_document(const Cursor& root, Policy& p);

}  // namespace sbx::policy::detail
