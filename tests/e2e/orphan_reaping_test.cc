// The service front ends reap their runs' inits themselves (rpc/orphan_reaper.h): a caller
// that is a subreaper (as a container's PID 1 is) and reaps only its own children must not be
// handed one init per run, and the front end must not keep them as zombies either. The caller
// here is a Python subreaper that starts `sbx rpc` (or `sbx mcp`), lets it run a few sandboxes,
// and then counts what came to it instead and what the front end left unreaped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sbx_runner.h"

namespace sbx::e2e {
namespace {

using ::testing::HasSubstr;

constexpr const char* kCaller = R"PY(
import ctypes, json, os, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl failed")
sbx, front_end = sys.argv[1], sys.argv[2]
server = subprocess.Popen([sbx, front_end], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
def call(message):
    server.stdin.write((json.dumps(message) + "\n").encode()); server.stdin.flush()
    return json.loads(server.stdout.readline())
if front_end == "mcp":
    call({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
          "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}})
    server.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
ended = 0
for i in range(1, 6):
    if front_end == "mcp":
        answer = call({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                       "params": {"name": "run_command", "arguments": {"argv": ["true"]}}})
        ended += "result" in answer and not answer["result"].get("isError")
    else:
        answer = call({"jsonrpc": "2.0", "id": i, "method": "run", "params": {"argv": ["true"]}})
        ended += answer.get("result", {}).get("verdict", {}).get("status") == "exited"
time.sleep(1)  # every sandbox's teardown is over by now
adopted = 0
while True:  # every child of ours but the server: what it left to us
    pid, _ = os.waitpid(-1, os.WNOHANG)
    if pid == 0:
        break
    adopted += 1
def children(pid):
    return [int(c) for t in os.listdir(f"/proc/{pid}/task")
            for c in open(f"/proc/{pid}/task/{t}/children").read().split()]
others = [c for c in children("self") if c != server.pid]
def state(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
zombies = sum(state(c) == "Z" for c in children(server.pid))  # left unreaped by the server
server.stdin.close()
server.wait(timeout=20)
print(f"runs ended {ended}, adopted {adopted}, other children {len(others)}, zombies under it {zombies}")
)PY";

void expect_nothing_left_to_the_caller(const std::string& front_end) {
  RunOptions options;
  options.timeout = std::chrono::seconds(60);
  const RunResult r = run({"/usr/bin/python3", "-c", kCaller, sbx_binary(), front_end}, options);
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("runs ended 5, adopted 0, other children 0, zombies under it 0")) << r;
}

TEST(OrphanReapingTest, SbxRpcReapsItsRunsInitsItself) { expect_nothing_left_to_the_caller("rpc"); }

TEST(OrphanReapingTest, SbxMcpReapsItsRunsInitsItself) { expect_nothing_left_to_the_caller("mcp"); }

}  // namespace
}  // namespace sbx::e2e
