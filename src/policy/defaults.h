// The built-in policy: what `sbx exec` does without --policy. policies/default.yaml spells out
// the same values (a unit test keeps the two equal).
#pragma once

#include "policy/policy.h"

namespace sbx::policy {

// A policy file is applied on top of this (after its `extends` chain), so a key a file leaves
// out keeps the value here.
Policy default_policy();

}  // namespace sbx::policy
