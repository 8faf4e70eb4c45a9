// Standby workers (rpc/standby_workers.h) end to end: sbx rpc keeps workers waiting, a run goes
// to one of them and it is replaced, a standby worker killed before its run or before it took
// the job, or a job too large for the hand-off, costs the run nothing; one killed after it took
// the job ends the run without running it twice; a killed server takes its standby workers with
// it, and nobody runs one by hand.
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

#include "base/unique_fd.h"
#include "rpc_harness.h"

namespace sbx::test {
namespace {

using ::testing::HasSubstr;

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child;
  while (in >> child) out.push_back(child);
  return out;
}

std::string link_of(const std::string& path) {
  char target[256];
  const ssize_t n = ::readlink(path.c_str(), target, sizeof(target) - 1);
  return n < 0 ? "" : std::string(target, static_cast<size_t>(n));
}

// A child of `server` waiting as a standby worker: its command, output still /dev/null, and the
// hand-off socket on descriptor 3.
bool waiting_standby(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::stringstream cmdline;
  cmdline << in.rdbuf();
  const std::string fd = "/proc/" + std::to_string(pid) + "/fd/";
  return cmdline.str().find("__standby-worker") != std::string::npos && link_of(fd + "1") == "/dev/null" &&
         link_of(fd + "3").rfind("socket:", 0) == 0;
}

std::set<pid_t> standby_workers_of(pid_t server) {
  std::set<pid_t> out;
  for (pid_t child : children_of(server)) {
    if (waiting_standby(child)) out.insert(child);
  }
  return out;
}

// Gone, or a zombie nobody has reaped yet: either way it runs nothing and holds nothing.
bool ended(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (stat.empty()) return true;
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

std::unique_ptr<Child> start_rpc(std::vector<std::string> flags = {}) {
  std::vector<std::string> argv = {sbx_binary(), "rpc"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return std::make_unique<Child>(argv);
}

Json echo_run(const std::string& text) {
  return Json{{"argv", {"sh", "-c", "echo \"$WORD\""}}, {"env", {{"WORD", text}}}};
}

// With --max-concurrency 1 the server keeps one worker waiting: its pid, once it waits.
std::optional<pid_t> sole_standby_worker(const Child& server) {
  std::set<pid_t> standby;
  if (!wait_for([&] { return (standby = standby_workers_of(server.pid())).size() == 1; })) return std::nullopt;
  return *standby.begin();
}

TEST(StandbyWorkerTest, ARunGoesToAWaitingWorkerWhichIsThenReplaced) {
  auto rpc = start_rpc({"--max-concurrency", "2"});
  std::set<pid_t> before;
  // One per run at once: two.
  ASSERT_TRUE(wait_for([&] { return (before = standby_workers_of(rpc->pid())).size() == 2; }))
      << "standby workers: " << before.size();

  rpc->send(request(1, "run", echo_run("warm")));
  const Json r = rpc->answer(1);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["stdout"]["text"], "warm\n");

  // The run took one of the waiting workers (it ran the job and ended); a new one takes its place.
  std::set<pid_t> after;
  ASSERT_TRUE(wait_for([&] {
    after = standby_workers_of(rpc->pid());
    return after.size() == 2 && std::count_if(before.begin(), before.end(), ended) == 1;
  })) << "standby workers after the run: " << after.size();
  std::vector<pid_t> kept;
  std::set_intersection(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(kept));
  EXPECT_EQ(kept.size(), 1u);
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
  for (pid_t pid : after) EXPECT_TRUE(wait_for([pid] { return ended(pid); }, 5s)) << pid;
}

TEST(StandbyWorkerTest, AStandbyWorkerKilledBeforeItsRunCostsTheRunNothing) {
  auto rpc = start_rpc({"--max-concurrency", "1"});
  const auto waiting = sole_standby_worker(*rpc);
  ASSERT_TRUE(waiting);
  const pid_t victim = *waiting;
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  // Dead before its run comes.
  ASSERT_TRUE(wait_for([victim] { return ended(victim); }));

  rpc->send(request(1, "run", echo_run("fresh")));
  const Json r = rpc->answer(1);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["status"], "exited");
  EXPECT_EQ(r["result"]["verdict"]["stdout"]["text"], "fresh\n");
  // The dead one was reaped and replaced.
  std::set<pid_t> standby;
  EXPECT_TRUE(wait_for([&] {
    standby = standby_workers_of(rpc->pid());
    return standby.size() == 1 && *standby.begin() != victim && ended(victim);
  }));
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

// How many bytes wait to be read on descriptor `fd` of process `pid` (a socket's next message).
// A copy of the descriptor is taken (pidfd_getfd) just long enough to ask.
std::optional<int> queued_bytes(pid_t pid, int fd) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) return std::nullopt;
  UniqueFd copy(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  int bytes = 0;
  if (!copy.valid() || ::ioctl(copy.get(), FIONREAD, &bytes) != 0) return std::nullopt;
  return bytes;
}

bool stopped(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'T';
}

// The job was sent, but the worker died before it took it off its socket: the run never
// started there, so a fresh worker runs it.
TEST(StandbyWorkerTest, AStandbyWorkerKilledWhileItTakesTheJobCostsTheRunNothing) {
  auto rpc = start_rpc({"--max-concurrency", "1"});
  const auto waiting = sole_standby_worker(*rpc);
  ASSERT_TRUE(waiting);
  const pid_t victim = *waiting;
  ASSERT_EQ(::kill(victim, SIGSTOP), 0);
  ASSERT_TRUE(wait_for([victim] { return stopped(victim); }));

  rpc->send(request(1, "run", echo_run("retried")));
  ASSERT_TRUE(wait_for([victim] { return queued_bytes(victim, 3).value_or(0) > 0; }))
      << "the job never reached the stopped standby worker";
  ASSERT_EQ(::kill(victim, SIGKILL), 0);

  const Json r = rpc->answer(1);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["status"], "exited");
  EXPECT_EQ(r["result"]["verdict"]["stdout"]["text"], "retried\n");
  EXPECT_TRUE(wait_for([victim] { return ended(victim); }));
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

// Once a worker holds its job it may have started the program, so its death ends the run: the
// program is never run a second time.
TEST(StandbyWorkerTest, AWorkerKilledAfterItTookTheJobEndsTheRunWithoutRunningItAgain) {
  auto rpc = start_rpc({"--max-concurrency", "1"});
  const auto worker = sole_standby_worker(*rpc);
  ASSERT_TRUE(worker);

  Json params{{"argv", {"sh", "-c", "echo started; sleep 5"}}, {"stream", true}};
  rpc->send(request(1, "run", params));
  const Json first = rpc->message(20s);
  ASSERT_EQ(first.value("method", ""), "run.output") << first.dump();
  EXPECT_EQ(first["params"]["data"], "started\n");
  ASSERT_EQ(::kill(*worker, SIGKILL), 0);

  std::vector<Json> seen;
  const Json r = rpc->answer(1, &seen, 20s);
  ASSERT_TRUE(r.contains("error")) << r.dump();
  for (const auto& m : seen) EXPECT_NE(m.value("method", ""), "run.output") << "run again: " << m.dump();
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(StandbyWorkerTest, AJobTooLargeForTheHandOffGetsAFreshWorker) {
  auto rpc = start_rpc({"--max-concurrency", "1"});
  const auto waiting = sole_standby_worker(*rpc);
  ASSERT_TRUE(waiting);
  // An environment larger than one hand-off message (rpc/worker_handoff.h: 64 KiB).
  Json params{{"argv", {"sh", "-c", "echo ${#BIG}"}}, {"env", {{"BIG", std::string(100000, 'x')}}}};
  rpc->send(request(1, "run", params));
  const Json r = rpc->answer(1);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  EXPECT_EQ(r["result"]["verdict"]["stdout"]["text"], "100000\n");
  // The waiting worker was left for the next run.
  EXPECT_EQ(standby_workers_of(rpc->pid()), std::set<pid_t>{*waiting});
  rpc->close_stdin();
  EXPECT_EQ(rpc->wait(), 0);
}

TEST(StandbyWorkerTest, AKilledServerTakesItsStandbyWorkersWithIt) {
  std::set<pid_t> standby;
  {
    auto rpc = start_rpc();
    ASSERT_TRUE(wait_for([&] { return !(standby = standby_workers_of(rpc->pid())).empty(); }));
  }  // SIGKILLed: it cleans nothing up itself
  for (pid_t pid : standby) EXPECT_TRUE(wait_for([pid] { return ended(pid); }, 5s)) << pid;
}

TEST(StandbyWorkerTest, RunByHandItRefusesClearly) {
  Child worker({sbx_binary(), "__standby-worker"});
  EXPECT_EQ(worker.wait(), 125);
  EXPECT_THAT(worker.stderr_text(), HasSubstr("is started by sbx serve, rpc and mcp, not by hand"));
}

}  // namespace
}  // namespace sbx::test
