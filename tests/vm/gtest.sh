#!/bin/bash
# Runs the kernel and e2e GoogleTest suites inside the VM, the way tests/run does on the host:
#   tests/vm/run [--env SBX_TEST_FILTER='Cgroup*'] [--results DIR] tests/vm/gtest.sh
# Each suite's JSON report and log go to $SBX_VM_RESULTS (tests/run counts them); the summary,
# and the whole log of a suite that failed, go to stdout. Exits non-zero when a suite fails.
set -u
cd "$SBX_VM_DIR"
# The VM has cgroup v2 with every controller: a cgroup test that cannot get one fails here.
export SBX_REQUIRE_CGROUP=1
logs=${SBX_VM_RESULTS:-$(mktemp -d)}
status=0
for suite in sbx_kernel_tests sbx_e2e_tests; do
  echo "== $suite as $(id -un)"
  log="$logs/$suite.log"
  if "$SBX_VM_DIR/tests/$suite" --gtest_filter="${SBX_TEST_FILTER:-*}" --gtest_output="json:$logs/$suite.json" \
       >"$log" 2>&1; then
    grep -E '^\[ +(PASSED|SKIPPED) +\] [0-9]|^\[=+\] [0-9]' "$log"
  else
    status=1
    grep -vE '^\[ +(RUN|OK) +\]' "$log"
  fi
done
exit "$status"
