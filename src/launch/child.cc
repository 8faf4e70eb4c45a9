// Placeholder, replaced by the real child in the next commit.
#include "launch/child_plan.h"
