#!/bin/bash
# What tests/run runs in the VM in one boot: the cgroup gtest suites (gtest.sh, filtered by
# SBX_TEST_FILTER), then the package and service checks (service.sh). Both leave their reports
# in $SBX_VM_RESULTS. The script is copied alone onto the test disk, so the others are found
# in the source files staged next to it.
set -u
status=0
"$SBX_VM_DIR/tests/vm/gtest.sh" || status=1
"$SBX_VM_DIR/tests/vm/service.sh" || status=1
exit "$status"
