// The default filter as compiled when sbx was built (see src/seccomp/gen). A run takes it from
// here instead of running libseccomp's compiler; tests check it matches a fresh compile.
#pragma once

#include <optional>

#include "seccomp/filter.h"

namespace sbx::seccomp {

// The default filter for `options`, or nullopt when no build-time copy matches them, which is
// whenever a policy changed more than the deny action (the caller then compiles at run time).
std::optional<CompiledFilter> precompiled_default_filter(const FilterOptions& options);

}  // namespace sbx::seccomp
