#!/bin/bash
# The Debian package and the socket-activated service under a real systemd:
#   tests/vm/run tests/vm/service.sh        (tests/run does this in its VM stage)
# Needs the package on the test disk (tests/run builds it with packaging/build-deb into
# BUILD_DIR/deb; make-test-disk copies it to $SBX_VM_DIR/packages).
#
# As root: installs the package, then checks socket activation, the socket's permissions, the
# allow list by peer credentials (an allowed user, a group member who is not allowed, a user
# outside the group), cgroup limits through the unit's delegation, the per-run log line, a
# graceful stop that lets a running sandbox finish, and a purge that leaves nothing running.
# It installs the package again at the end for the next phase.
# As tester (a login session with a systemd user manager): the per-user units.
#
# Each check is one test in $SBX_VM_RESULTS/service.json (GoogleTest's JSON shape, so tests/run
# counts them) and one "ok"/"FAIL" line on stdout. Exits with the number of failed checks.
set -u
# The runner's PATH is a user's; dpkg, useradd and runuser live in the sbin directories.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
results=${SBX_VM_RESULTS:-$(mktemp -d)}
report="$results/service.json"
log="$results/service.log"
: >"$log"
tests=()
failures=0

# record NAME STATUS DETAIL: STATUS is ok, FAIL or SKIP.
record() {
  local name=$1 status=$2 detail=${3:-}
  echo "$(printf '%-5s' "$status") $name${detail:+ ($detail)}"
  echo "[ RUN      ] Service.$name" >>"$log"
  case $status in
    ok) tests+=("{\"name\": \"$name\", \"result\": \"COMPLETED\"}")
        echo "[       OK ] Service.$name" >>"$log" ;;
    SKIP) tests+=("{\"name\": \"$name\", \"result\": \"SKIPPED\"}")
          echo "$detail" >>"$log"
          echo "[  SKIPPED ] Service.$name" >>"$log" ;;
    *) failures=$((failures + 1))
       local json_detail
       json_detail=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$detail")
       tests+=("{\"name\": \"$name\", \"result\": \"COMPLETED\", \"failures\": [{\"failure\": $json_detail}]}")
       echo "[  FAILED  ] Service.$name" >>"$log" ;;
  esac
}

# check NAME COMMAND...: ok when COMMAND succeeds; its output is the failure detail.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    record "$name" ok
  else
    record "$name" FAIL "$(printf '%s' "$out" | tail -n 8)"
  fi
}

write_report() {
  local joined
  joined=$(IFS=,; echo "${tests[*]}")
  printf '{"testsuites": [{"name": "Service%s", "testsuite": [%s]}]}\n' "$1" "$joined" >"$report"
}

# expect DESCRIPTION ACTUAL EXPECTED
equals() {
  if [ "$2" = "$3" ]; then return 0; fi
  echo "$1: got '$2', expected '$3'"
  return 1
}
contains() {
  if [[ $2 == *"$3"* ]]; then return 0; fi
  echo "$1: '$3' not in: $2"
  return 1
}

# A program that writes every page of 256 MiB: four times the limit the checks set.
memory_hog='b = bytearray(256 << 20)
for i in range(0, len(b), 4096): b[i] = 1
print("survived")'

verdict_field() {  # verdict_field JSON FIELD
  python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(v.get(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

socket=/run/sbx/sbx.sock

as_root() {
  local deb
  deb=$(ls "$SBX_VM_DIR"/packages/sbx_*.deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then
    record PackageInstalls SKIP "no package on the test disk: tests/run builds it with packaging/build-deb"
    return
  fi
  check PackageInstalls dpkg -i "$deb"
  check PostinstMadeTheSystemUser getent passwd sbx
  check SocketEnabledAndListening bash -c 'systemctl is-enabled sbx.socket && systemctl is-active sbx.socket'
  check SocketIsRootGroupSbx0660 equals "socket owner and mode" "$(stat -c '%U:%G %a' "$socket" 2>&1)" "root:sbx 660"
  check SystemUnitsPassSystemdAnalyzeVerify \
    systemd-analyze verify --man=no /usr/lib/systemd/system/sbx.socket /usr/lib/systemd/system/sbx.service
  check ServiceNotStartedBeforeAConnection equals "sbx.service" "$(systemctl is-active sbx.service)" "inactive"

  if ! /usr/bin/sbx serve --help >/dev/null 2>&1; then
    record ServiceChecks SKIP "this sbx has no serve subcommand"
    return
  fi
  # alice is allowed by name; mallory may reach the socket (group sbx) but is not on the list;
  # bob is not even in the group.
  useradd --create-home --groups sbx alice
  useradd --create-home --groups sbx mallory
  useradd --create-home bob
  cat >/etc/sbx/serve.yaml <<'YAML'
defaults:
  max_timeout: 60s
  max_memory: 256m
  max_pids: 128
allow:
  - user: alice
YAML

  local out status
  out=$(runuser -u alice -- /usr/bin/sbx exec --remote "$socket" -- sh -c 'echo hello from $(id -u); exit 3' 2>&1)
  status=$?
  check AllowedUserRunsThroughSocketActivation bash -c \
    "$(declare -f equals); equals output '$out' 'hello from 1000' && equals 'exit status' $status 3"
  check ServiceStartedByTheSocket equals "sbx.service" "$(systemctl is-active sbx.service)" "active"
  local main_pid
  main_pid=$(systemctl show -p MainPID --value sbx.service)
  check ServiceRunsAsUserSbxWithNoCapabilities bash -c \
    "$(declare -f equals); equals user \"\$(ps -o user= -p $main_pid)\" sbx &&
     equals CapEff \"\$(awk '/^CapEff/ {print \$2}' /proc/$main_pid/status)\" 0000000000000000"

  out=$(runuser -u mallory -- /usr/bin/sbx exec --remote "$socket" -- echo should-not-run 2>&1)
  status=$?
  check GroupMemberNotOnTheAllowListIsRefused bash -c \
    "$(declare -f contains); [ $status -ne 0 ] && ! contains x '$out' should-not-run >/dev/null &&
     contains refusal '$out' 'not allowed'"
  check RefusalIsLoggedWithTheCallersUid bash -c \
    "journalctl -u sbx.service --no-pager -o cat | grep 'caller_uid=$(id -u mallory)' | grep -q not_allowed"

  out=$(runuser -u bob -- /usr/bin/sbx exec --remote "$socket" -- echo should-not-run 2>&1)
  status=$?
  check UserOutsideTheGroupCannotConnect bash -c \
    "$(declare -f contains); [ $status -ne 0 ] && contains error '$out' 'ermission denied'"

  # Limits come from the cgroup subtree systemd delegated to sbx.service.
  out=$(runuser -u alice -- /usr/bin/sbx exec --remote "$socket" --json --memory 64m --timeout 40 -- \
        python3 -c "$memory_hog" 2>/dev/null)
  check MemoryLimitEnforcedThroughDelegation bash -c \
    "$(declare -f equals); equals status '$(verdict_field "$out" status)' oom"
  runuser -u alice -- /usr/bin/sbx exec --remote "$socket" --memory 100m -- sleep 3 >/dev/null 2>&1 &
  local runner=$!
  local found=""
  for _ in $(seq 1 40); do
    found=$(grep -rlx 104857600 /sys/fs/cgroup/system.slice/sbx.service --include=memory.max 2>/dev/null | head -n 1)
    [ -n "$found" ] && break
    sleep 0.1
  done
  wait "$runner"
  check RunCgroupLivesUnderTheService contains "run cgroup with memory.max 100m" "$found" /sys/fs/cgroup/system.slice/sbx.service/
  check PidsLimitBoundsAForkBomb bash -c \
    "out=\$(runuser -u alice -- /usr/bin/sbx exec --remote $socket --json --pids 16 --timeout 20 -- \
       sh -c 'for i in \$(seq 1 64); do sleep 5 & done; wait' 2>/dev/null);
     $(declare -f equals); equals pids_peak_at_most_16 \"\$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[\"pids_peak\"] <= 16)' \"\$out\")\" True"
  check OneLogLinePerRunWithCallerAndStatus bash -c \
    "journalctl -u sbx.service --no-pager -o cat | grep 'caller_uid=$(id -u alice)' | grep -q 'status=exited'"

  # A graceful stop: the running sandbox finishes, then the service is gone.
  out=$(mktemp)
  runuser -u alice -- /usr/bin/sbx exec --remote "$socket" -- sh -c 'sleep 2; echo finished' >"$out" 2>&1 &
  runner=$!
  sleep 1
  systemctl stop sbx.service
  wait "$runner"
  status=$?
  check StopLetsARunningSandboxFinish bash -c \
    "$(declare -f equals); equals output '$(cat "$out")' finished && equals 'exit status' $status 0"
  check StopLeavesNoProcessOfTheService bash -c '! pgrep -u sbx -a'
  check SocketReactivatesAfterStop bash -c \
    "runuser -u alice -- /usr/bin/sbx exec --remote $socket -- true && systemctl is-active sbx.service"

  check PurgeStopsTheService dpkg --purge sbx
  check PurgeLeavesNothingRunning bash -c \
    "! systemctl is-active sbx.socket sbx.service >/dev/null && ! pgrep -u sbx -a && ! test -e $socket"
  dpkg -i "$deb" >/dev/null 2>&1
  # For the next phase: tester reaches the system socket too.
  usermod -a -G sbx tester
}

as_tester() {
  if ! command -v sbx >/dev/null || [ ! -e /usr/lib/systemd/user/sbx.socket ]; then
    record UserUnitsInstalled SKIP "the root phase did not install the package"
    return
  fi
  if ! /usr/bin/sbx serve --help >/dev/null 2>&1; then
    record UserServiceChecks SKIP "this sbx has no serve subcommand"
    return
  fi
  local user_socket="$XDG_RUNTIME_DIR/sbx/sbx.sock"
  check UserUnitsPassSystemdAnalyzeVerify \
    systemd-analyze --user verify --man=no /usr/lib/systemd/user/sbx.socket /usr/lib/systemd/user/sbx.service
  check UserSocketStarts systemctl --user start sbx.socket
  check UserSocketIsPrivate equals "socket mode" "$(stat -c '%a' "$user_socket" 2>&1)" 600
  local out status
  out=$(/usr/bin/sbx exec --remote "$user_socket" -- sh -c 'echo hello; exit 4' 2>&1)
  status=$?
  check UserServiceRunsForItsOwner bash -c \
    "$(declare -f equals); equals output '$out' hello && equals 'exit status' $status 4"
  out=$(/usr/bin/sbx exec --remote "$user_socket" --json --memory 64m --timeout 40 -- \
        python3 -c "$memory_hog" 2>/dev/null)
  check UserServiceMemoryLimitThroughDelegation bash -c \
    "$(declare -f equals); equals status '$(verdict_field "$out" status)' oom"
  check UserServiceStops systemctl --user stop sbx.socket sbx.service
}

echo "as: $(id)"
if [ "$(id -u)" -eq 0 ]; then
  as_root
  write_report Root
else
  as_tester
  write_report Tester
fi
exit "$failures"
