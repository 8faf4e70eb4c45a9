// A run from start to end: exit status passthrough, stdin, a real interpreter, and that nothing
// the run started outlives it, whether the program daemonizes or sbx itself is SIGKILLed.
#include <signal.h>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "host.h"
#include "probe.h"

namespace sbx::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ExitStatusTest, ProgramExitCodePassesThrough) {
  for (const int code : {0, 1, 3, 42, 255}) {
    const RunResult r = run_probe({}, {"exit", std::to_string(code)});
    EXPECT_EQ(r.status(), code) << r;
    EXPECT_EQ(r.err, "") << r;
  }
}

TEST(ExitStatusTest, DeathBySignalIs128PlusN) {
  for (const int sig : {SIGINT, SIGKILL, SIGTERM, SIGSEGV}) {
    const RunResult r = run_probe({}, {"raise", std::to_string(sig)});
    EXPECT_EQ(r.status(), 128 + sig) << "signal " << sig << r;
    EXPECT_EQ(r.term_signal, 0) << "sbx itself must exit, not die of the program's signal" << r;
  }
}

// sbx exits with 128+N instead of dying of N, so the caller's shell cannot say what happened:
// sbx says it, as a shell would for its own child (and, like a shell, not for SIGINT or SIGPIPE).
TEST(ExitStatusTest, DeathBySignalIsSaidOnStderr) {
  const std::vector<std::pair<int, std::string>> cases = {
      {SIGSEGV, "sbx: killed by SIGSEGV (Segmentation fault)\n"},
      {SIGKILL, "sbx: killed by SIGKILL (Killed)\n"},
      {SIGINT, ""},
      {SIGPIPE, ""},
  };
  for (const auto& [sig, said] : cases) {
    const RunResult r = run_probe({}, {"raise", std::to_string(sig)});
    EXPECT_EQ(r.status(), 128 + sig) << r;
    EXPECT_EQ(r.err, said) << "signal " << sig << r;
  }
  const RunResult quiet = run_sbx({"-q", "exec", "--", "sh", "-c", "kill -SEGV $$"});
  EXPECT_EQ(quiet.status(), 128 + SIGSEGV) << quiet;
  EXPECT_EQ(quiet.err, "") << "-q: only errors" << quiet;
}

TEST(ExitStatusTest, AnRlimitThatKilledTheProgramIsNamed) {
  const RunResult cpu = run_sbx({"exec", "--cpu-time", "1", "--", "sh", "-c", "while :; do :; done"});
  ASSERT_EQ(cpu.status(), 128 + SIGXCPU) << cpu;
  EXPECT_EQ(cpu.err, "sbx: killed by SIGXCPU: the CPU-time limit of 1s was reached\n") << cpu;

  // strict's seccomp kills instead of failing the call: said as such.
  const RunResult sys = run_sbx({"exec", "--policy", "strict", "--", "python3", "-c", "import socket; socket.socket()"});
  ASSERT_EQ(sys.status(), 128 + SIGSYS) << sys;
  EXPECT_NE(sys.err.find("sbx: killed by SIGSYS: the program made a system call the seccomp filter denies"),
            std::string::npos)
      << sys;

  const RunResult fsize =
      run_sbx({"exec", "--ulimit", "fsize=1k", "--", "dd", "if=/dev/zero", "of=/tmp/big", "bs=2k", "count=1", "status=none"});
  ASSERT_EQ(fsize.status(), 128 + SIGXFSZ) << fsize;
  EXPECT_EQ(fsize.err, "sbx: killed by SIGXFSZ: a write went past the file size limit of 1024 bytes\n") << fsize;
}

// One stderr line from sbx naming the problem, nothing on stdout.
void ExpectOneSbxLine(const RunResult& r) {
  EXPECT_EQ(r.out, "") << r;
  const auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r;
  EXPECT_EQ(err[0].rfind("sbx: ", 0), 0u) << r;
}

TEST(ExitStatusTest, NotExecutableIs126) {
  for (const char* path : {"/etc/hostname", "/usr"}) {
    const RunResult r = run_sbx({"exec", "--", path});
    EXPECT_EQ(r.status(), 126) << r;
    ExpectOneSbxLine(r);
  }
}

TEST(ExitStatusTest, NotFoundIs127) {
  for (const char* command : {"/nonexistent/program", "sbx-e2e-no-such-command"}) {
    const RunResult r = run_sbx({"exec", "--", command});
    EXPECT_EQ(r.status(), 127) << r;
    ExpectOneSbxLine(r);
  }
}

TEST(StdioTest, StdinPassesThroughByteForByte) {
  std::string input;
  for (int i = 0; i < 300000; ++i) input.push_back(static_cast<char>(i * 7 % 256));  // binary, > a pipe buffer
  RunOptions options;
  options.stdin_text = input;
  const RunResult r = run_probe({}, {"cat"}, options);
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_TRUE(r.out == input) << "stdout differs from stdin: " << r.out.size() << " of " << input.size() << " bytes";
}

TEST(StdioTest, StdoutAndStderrStaySeparate) {
  const RunResult r = run_sbx({"exec", "--", "sh", "-c", "echo to-out; echo to-err >&2"});
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_EQ(r.out, "to-out\n");
  EXPECT_EQ(r.err, "to-err\n");
}

TEST(ExampleTest, HelloPyRunsWithPython3) {
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3 on this host";
  RunOptions options;
  options.cwd = source_dir();
  const RunResult r = run_sbx({"exec", "--", "python3", "examples/hello.py"}, options);
  ASSERT_EQ(r.status(), 0) << r;
  EXPECT_NE(r.out.find("hello from uid 1000 on host 'sbx'"), std::string::npos) << r;
  EXPECT_NE(r.out.find("working directory: /workspace"), std::string::npos) << r;
  EXPECT_NE(r.out.find("network: blocked"), std::string::npos) << r;
}

// What a run could leave on the host: files in /tmp and mounts in our mount namespace.
struct HostState {
  std::set<std::string> tmp;
  std::set<std::string> mounts;
};

HostState host_state() {
  HostState s;
  s.tmp = dir_entries("/tmp");
  const auto mountinfo = lines(read_file("/proc/self/mountinfo"));
  s.mounts.insert(mountinfo.begin(), mountinfo.end());
  return s;
}

// Other test processes may be using /tmp at the same time, so only names that look like sbx's
// count, minus the tests' own scratch directories.
void ExpectNothingLeftBehind(const HostState& before, const HostState& after) {
  for (const auto& name : after.tmp) {
    if (before.tmp.count(name) || name.find("sbx") == std::string::npos) continue;
    if (name.rfind("sbx-e2e", 0) == 0 || name.rfind("sbx-tests.", 0) == 0) continue;
    ADD_FAILURE() << "left in /tmp: " << name;
  }
  for (const auto& m : after.mounts) {
    if (!before.mounts.count(m)) ADD_FAILURE() << "new host mount: " << m;
  }
  for (const auto& m : before.mounts) {
    if (!after.mounts.count(m)) ADD_FAILURE() << "host mount gone: " << m;
  }
}

// The sandbox's processes carrying `marker`: those in a nested PID namespace (sbx itself,
// also carrying it in argv, lives in ours).
std::vector<HostProcess> sandboxed_with_marker(const std::string& marker) {
  std::vector<HostProcess> out;
  for (const auto& p : processes_with_marker(marker)) {
    if (p.ns_pids.size() >= 2) out.push_back(p);
  }
  return out;
}

// Waits until a sandboxed process with inner pid `ns_pid` shows up with the marker.
bool wait_for_sandboxed(const std::string& marker, pid_t ns_pid, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& p : sandboxed_with_marker(marker)) {
      if (p.ns_pids.back() == ns_pid) return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

std::vector<UniqueFd> pidfds_of(const std::vector<HostProcess>& processes) {
  std::vector<UniqueFd> fds;
  for (const auto& p : processes) {
    fds.push_back(open_pidfd(p.pid));
    EXPECT_TRUE(fds.back().valid()) << "pidfd_open " << p.pid;
  }
  return fds;
}

// Reads the first whole number in FILE, waiting up to `limit` for it to be written.
pid_t wait_for_pid_in(const std::string& file, milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  do {
    std::istringstream in(read_file(file));
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return 0;
}

TEST(LifecycleTest, DoubleForkedDaemonDoesNotOutliveTheRun) {
  TempDir dir;
  const std::string marker = unique_marker();
  const HostState before = host_state();
  RunOptions options;
  options.stdin_text = "";  // a pipe held open until wait(): the probe lingers until then
  Process run = start_probe({"-v", dir.path() + ":/data"}, {"daemonize", "/data/lock", marker}, options);

  // The daemon writes its (sandbox) pid into the lock file it holds; find it on the host.
  const pid_t daemon = wait_for_pid_in(dir / "lock", seconds(10));
  ASSERT_GT(daemon, 0) << "the daemon never wrote its pid" << run.wait();
  ASSERT_TRUE(wait_for_sandboxed(marker, daemon, seconds(5))) << "daemon not found on the host";
  const auto sandboxed = sandboxed_with_marker(marker);
  const std::vector<UniqueFd> pidfds = pidfds_of(sandboxed);

  const RunResult r = run.wait();
  EXPECT_EQ(r.status(), 0) << r;
  EXPECT_EQ(r.out, "daemonized\n") << r;
  EXPECT_TRUE(all_exited_within(pidfds, seconds(1))) << sandboxed.size() << " sandboxed processes, not all gone";
  EXPECT_TRUE(sandboxed_with_marker(marker).empty());
  // The daemon's flock is released, so its open file is gone too.
  UniqueFd lock(::open((dir / "lock").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(lock.valid());
  EXPECT_EQ(::flock(lock.get(), LOCK_EX | LOCK_NB), 0) << "the daemon still holds its lock";
  ExpectNothingLeftBehind(before, host_state());
}

TEST(LifecycleTest, SigkillOfSbxLeavesNothingBehind) {
  TempDir dir;
  const std::string marker = unique_marker();
  const HostState before = host_state();
  Process run = start_probe({"-v", dir.path() + ":/data"}, {"hold", "/data/pids", "30", marker});

  ASSERT_TRUE(wait_for_file(dir / "pids", seconds(10))) << "the program never started" << run.wait();
  std::istringstream pids(read_file(dir / "pids"));
  pid_t program = 0, child = 0;
  ASSERT_TRUE(pids >> program >> child);
  EXPECT_EQ(program, 2) << "the program is PID 2 in its namespace";
  ASSERT_TRUE(wait_for_sandboxed(marker, program, seconds(5)));
  ASSERT_TRUE(wait_for_sandboxed(marker, child, seconds(5)));
  const auto sandboxed = sandboxed_with_marker(marker);
  EXPECT_GE(sandboxed.size(), 2u);  // the program and its child, and sbx's init if it has the marker
  const std::vector<UniqueFd> pidfds = pidfds_of(sandboxed);

  ASSERT_EQ(::kill(run.pid(), SIGKILL), 0);
  EXPECT_TRUE(all_exited_within(pidfds, seconds(1))) << "a sandboxed process survived sbx's SIGKILL by 1s";
  const RunResult r = run.wait();
  EXPECT_EQ(r.term_signal, SIGKILL) << r;
  EXPECT_TRUE(sandboxed_with_marker(marker).empty());
  ExpectNothingLeftBehind(before, host_state());
}

TEST(LifecycleTest, OrdinaryRunLeavesNothingBehind) {
  const HostState before = host_state();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Succeeded(run_probe({"--tmpfs", "/scratch"}, {"create", "/scratch/f"})));
  ExpectNothingLeftBehind(before, host_state());
}

}  // namespace
}  // namespace sbx::e2e
