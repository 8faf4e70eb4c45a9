#include "policy/defaults.h"

#include "rlimits/names.h"

namespace sbx::policy {

Policy default_policy() {
  Policy p;
  p.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
           {"HOME", "/tmp"},
           {"LANG", "C.UTF-8"}};
  // A terminal program needs to know what it is talking to; nothing else leaks in by default.
  p.env_pass = {"TERM"};
  p.rlimits = rlimits::default_rlimits();
  return p;
}

}  // namespace sbx::policy
