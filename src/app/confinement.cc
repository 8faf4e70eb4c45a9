// TEMPORARY: replaced when the seccomp and landlock modules land.
#include "app/confinement.h"
namespace sbx::app {
Result<std::vector<LayerReport>> add_confinement(const policy::Policy&, launch::LaunchPlan&) {
  return std::vector<LayerReport>{};
}
}  // namespace sbx::app
