#!/bin/bash
# Smoke test of the VM test bed: tests/vm/run tests/vm/smoke.sh
# Runs inside the VM twice (SBX_VM_USER=root, then tester in a login session) and checks what
# the cgroup tests will rely on: a pure cgroup v2 hierarchy with memory, pids and cpu; a scope
# with Delegate=yes from systemd-run (the user manager's for tester) whose cgroup the caller can
# split and limit; and sbx itself running. Exits with the number of failed checks.
set -u
failures=0
check() {  # check WHAT COMMAND...: one "ok" or "FAIL" line per check
  local what=$1
  shift
  if "$@"; then
    echo "ok    $what"
  else
    echo "FAIL  $what"
    failures=$((failures + 1))
  fi
}
contains() { [[ $1 == *"$2"* ]]; }

echo "as: $(id)"
echo "/proc/self/cgroup: $(cat /proc/self/cgroup)"
echo "root controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
check "/sys/fs/cgroup is cgroup2 (unified hierarchy only)" test "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs
for controller in memory pids cpu; do
  check "root cgroup offers $controller" grep -qw "$controller" /sys/fs/cgroup/cgroup.controllers
done

if [ "$(id -u)" -eq 0 ]; then
  systemd_run=(systemd-run --quiet --scope -p Delegate=yes)
else
  systemd_run=(systemd-run --quiet --user --scope -p Delegate=yes)
  user_cgroup=/sys/fs/cgroup$(systemctl --user show -p ControlGroup --value)
  echo "user manager: $user_cgroup ($(systemctl --user is-system-running 2>&1))"
  echo "controllers delegated to it: $(cat "$user_cgroup/cgroup.controllers")"
  check "the user manager runs as user@$(id -u).service" contains "$user_cgroup" "/user@$(id -u).service"
fi

scope_cgroup=$("${systemd_run[@]}" -- cat /proc/self/cgroup)
echo "${systemd_run[*]} -- cat /proc/self/cgroup: $scope_cgroup"
check "systemd-run puts the command in a transient scope" contains "$scope_cgroup" ".scope"

# Inside the delegated scope: move ourselves to a leaf (cgroup v2 allows no processes in a cgroup
# that distributes controllers), enable memory and pids for it, and see both limits bite.
delegation_probe='
set -e
cg=/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup)
test -w "$cg/cgroup.subtree_control" || { echo "$cg/cgroup.subtree_control is not writable"; exit 1; }
echo "scope offers: $(cat "$cg/cgroup.controllers")"
mkdir "$cg/leaf"
echo $$ >"$cg/leaf/cgroup.procs"
echo "+memory +pids" >"$cg/cgroup.subtree_control"
echo "leaf has: $(cat "$cg/leaf/cgroup.controllers")"
echo 2 >"$cg/leaf/pids.max"
python3 -c "
import os
try:
    os.fork()
except BlockingIOError:
    print(\"pids.max=2: fork refused\")
else:
    raise SystemExit(\"pids.max=2 did not stop a third process\")
"
echo max >"$cg/leaf/pids.max"
echo 32M >"$cg/leaf/memory.max"
# In a subshell with stderr dropped, so bash'"'"'s own "Killed" report stays out of the log.
if (python3 -c "b = b\"x\" * (256 << 20)") 2>/dev/null; then
  echo "memory.max=32M did not stop a 256 MiB allocation"; exit 1
fi
echo "memory.max=32M: 256 MiB allocation killed (oom_kill $(grep -w oom_kill "$cg/leaf/memory.events" | cut -d" " -f2))"
'
check "the delegated scope's cgroup can be split and limited" \
  "${systemd_run[@]}" -- bash -c "$delegation_probe"

sbx_out=$(sbx exec -- id 2>&1)
sbx_status=$?
echo "sbx exec -- id: $sbx_out (exit $sbx_status)"
check "sbx exec -- id runs" test "$sbx_status" -eq 0
check "sbx exec -- id prints an identity" contains "$sbx_out" "uid="

echo "$failures failed checks as $(id -un)"
exit "$failures"
