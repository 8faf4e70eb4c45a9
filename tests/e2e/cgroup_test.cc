// --memory, --pids and --cpus seen from outside: what a memory hog, a fork bomb and a busy loop
// get under a real cgroup v2 hierarchy, that the run's cgroup is gone afterwards, and the
// required / best-effort semantics when no cgroup can be had.
//
// The limit tests need cgroup v2 with the memory, pids and cpu controllers and a way for sbx to
// get a cgroup of its own (root, or a systemd user manager to ask for a delegated scope). They
// skip elsewhere (hybrid or v1 hosts such as the development machines) and run in tests/vm,
// which sets SBX_REQUIRE_CGROUP=1 so that a missing cgroup fails there instead of skipping.
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "host.h"
#include "sbx_runner.h"

namespace {

using sbx::e2e::RunOptions;
using sbx::e2e::RunResult;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

// The unified hierarchy's mount point, from mountinfo (it is /sys/fs/cgroup/unified on hybrid hosts).
std::optional<std::string> cgroup2_mount() {
  std::istringstream in(slurp("/proc/self/mountinfo"));
  for (std::string line; std::getline(in, line);) {
    const size_t sep = line.find(" - cgroup2 ");
    if (sep == std::string::npos) continue;
    std::istringstream fields(line.substr(0, sep));
    std::string f;
    for (int i = 0; i < 5 && fields >> f; ++i) {
    }
    return f;
  }
  return std::nullopt;
}

// Empty when sbx should be able to get a cgroup with all three controllers here; else why not.
std::string why_no_cgroup() {
  const auto mount = cgroup2_mount();
  if (!mount) return "no cgroup v2 hierarchy is mounted (cgroup v1 host)";
  struct statfs fs{};
  if (statfs("/sys/fs/cgroup", &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
    return "cgroup v2 is mounted at " + *mount + " beside v1 (hybrid host): its controllers belong to v1";
  }
  const std::string controllers = slurp(*mount + "/cgroup.controllers");
  for (const char* c : {"memory", "pids", "cpu"}) {
    if (!has_word(controllers, c)) return std::string("the root cgroup offers no ") + c + " controller";
  }
  if (geteuid() != 0) {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    struct stat st{};
    if (runtime == nullptr || stat((std::string(runtime) + "/bus").c_str(), &st) != 0) {
      return "no systemd user session bus ($XDG_RUNTIME_DIR/bus) to ask for a delegated cgroup";
    }
  }
  return "";
}

bool cgroups_required_here() {
  const char* v = std::getenv("SBX_REQUIRE_CGROUP");
  return v != nullptr && std::string(v) == "1";
}

#define REQUIRE_CGROUP_V2()                                                                  \
  do {                                                                                       \
    const std::string why = why_no_cgroup();                                                 \
    if (!why.empty()) {                                                                      \
      if (cgroups_required_here()) FAIL() << "SBX_REQUIRE_CGROUP=1 but " << why;             \
      GTEST_SKIP() << "needs cgroup v2 with memory, pids and cpu for sbx: " << why;          \
    }                                                                                        \
  } while (0)

RunOptions in_tmp(int limit_seconds) {
  RunOptions options;
  options.cwd = "/tmp";
  options.timeout = std::chrono::seconds(limit_seconds);
  return options;
}

// `sbx exec --no-workspace --json ARGS...` from /tmp; the verdict and the whole result.
struct JsonRun {
  RunResult result;
  nlohmann::json verdict;
  std::string out() const {
    if (!verdict.contains("stdout") || !verdict["stdout"].contains("text")) return "";
    return verdict["stdout"]["text"].get<std::string>();
  }
  const nlohmann::json& cgroup_layer() const { return verdict.at("layers").at("cgroup"); }
};

JsonRun run_json(const std::vector<std::string>& args, int limit_seconds = 60) {
  std::vector<std::string> full = {"exec", "--no-workspace", "--json"};
  full.insert(full.end(), args.begin(), args.end());
  JsonRun run{sbx::e2e::run_sbx(full, in_tmp(limit_seconds)), {}};
  EXPECT_FALSE(run.result.timed_out) << run.result;
  run.verdict = nlohmann::json::parse(run.result.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(run.verdict.is_object()) << run.result;
  if (!run.verdict.is_object()) run.verdict = nlohmann::json::object({{"layers", {{"cgroup", {}}}}});
  return run;
}

// Directories anywhere in the cgroup tree whose name `matches`: what a run may have left behind.
template <typename Pred>
std::vector<std::string> cgroups_named(Pred matches) {
  std::vector<std::string> found;
  const auto mount = cgroup2_mount();
  if (!mount) return found;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           *mount, std::filesystem::directory_options::skip_permission_denied, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory(ec) && matches(it->path().filename().string())) found.push_back(it->path());
  }
  return found;
}

// What one sbx (by pid) may create: its run cgroups, its leaf, its systemd scope.
std::vector<std::string> cgroups_of_sbx(pid_t pid) {
  const std::string p = std::to_string(pid);
  return cgroups_named([&p](const std::string& name) {
    return name.rfind("sbx.run." + p + ".", 0) == 0 || name == "sbx.leaf." + p || name == "sbx-" + p + ".scope";
  });
}

// systemd collects an emptied scope asynchronously; give it a few seconds.
std::vector<std::string> leftovers_after(pid_t pid) {
  std::vector<std::string> left;
  for (int i = 0; i < 50; ++i) {
    left = cgroups_of_sbx(pid);
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return left;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "(none)" : s;
}

// --- Limits under a real cgroup v2 hierarchy ---------------------------------------------------

TEST(CgroupLimitTest, MemoryHogIsOomKilledAndReportedWithPeakNearTheLimit) {
  REQUIRE_CGROUP_V2();
  constexpr uint64_t kLimit = 64ull << 20;
  // Writes every page of 256 MiB, four times the limit.
  const JsonRun run = run_json({"--memory", "64M", "--timeout", "40", "--", "python3", "-c",
                                "b = bytearray(256 << 20)\n"
                                "for i in range(0, len(b), 4096): b[i] = 1\n"
                                "print('survived')"});
  EXPECT_EQ(run.verdict.value("status", ""), "oom") << run.result;
  EXPECT_EQ(run.verdict.value("oom_killed", false), true) << run.result;
  EXPECT_EQ(run.out().find("survived"), std::string::npos) << run.result;
  ASSERT_TRUE(run.verdict.contains("peak_memory_bytes") && run.verdict["peak_memory_bytes"].is_number())
      << run.result;
  const auto peak = run.verdict["peak_memory_bytes"].get<uint64_t>();
  EXPECT_GE(peak, kLimit * 3 / 4) << "peak " << peak << " of a 64 MiB limit";
  EXPECT_LE(peak, kLimit + (1 << 20)) << "peak " << peak << " of a 64 MiB limit";
  EXPECT_EQ(run.cgroup_layer().value("enforced", false), true) << run.result;
  EXPECT_EQ(run.cgroup_layer().at("limits").value("memory_bytes", uint64_t{0}), kLimit);
}

TEST(CgroupLimitTest, PeakMemoryOfAnOrdinaryRunIsReported) {
  REQUIRE_CGROUP_V2();
  const JsonRun run = run_json({"--memory", "256M", "--", "python3", "-c",
                                "b = bytearray(48 << 20)\n"
                                "for i in range(0, len(b), 4096): b[i] = 1\n"
                                "print('done')"});
  EXPECT_EQ(run.verdict.value("status", ""), "exited") << run.result;
  EXPECT_EQ(run.out(), "done\n") << run.result;
  ASSERT_TRUE(run.verdict["peak_memory_bytes"].is_number()) << run.result;
  const auto peak = run.verdict["peak_memory_bytes"].get<uint64_t>();
  EXPECT_GE(peak, 48ull << 20);
  EXPECT_LT(peak, 256ull << 20);
}

TEST(CgroupLimitTest, ForkBombIsStoppedAtPidsLimit) {
  REQUIRE_CGROUP_V2();
  // Bounded: at most 64 children, each sleeping; the run's end kills whatever is left.
  const JsonRun run = run_json({"--pids", "16", "--timeout", "30", "--", "python3", "-c",
                                "import os, time\n"
                                "made = refused = 0\n"
                                "for _ in range(64):\n"
                                "    try:\n"
                                "        pid = os.fork()\n"
                                "    except BlockingIOError:\n"
                                "        refused += 1\n"
                                "        continue\n"
                                "    if pid == 0:\n"
                                "        time.sleep(30)\n"
                                "        os._exit(0)\n"
                                "    made += 1\n"
                                "print(made, refused)"});
  EXPECT_EQ(run.verdict.value("status", ""), "exited") << run.result;
  int made = -1;
  int refused = -1;
  std::istringstream(run.out()) >> made >> refused;
  EXPECT_GT(made, 0) << run.result;
  EXPECT_LT(made, 16) << run.result;
  EXPECT_EQ(made + refused, 64) << run.result;
  // The sleeping children did not keep the run alive.
  EXPECT_LT(run.verdict.value("duration_ms", 1e9), 20000.0);
  if (run.verdict["pids_peak"].is_number()) {
    EXPECT_LE(run.verdict["pids_peak"].get<int>(), 16);
  }
}

TEST(CgroupLimitTest, HalfACpuHoldsABusyLoopNearHalf) {
  REQUIRE_CGROUP_V2();
  const JsonRun run = run_json({"--cpus", "0.5", "--", "python3", "-c",
                                "import time\n"
                                "t0 = time.monotonic(); c0 = time.process_time()\n"
                                "while time.monotonic() - t0 < 3: pass\n"
                                "print((time.process_time() - c0) / (time.monotonic() - t0))"});
  EXPECT_EQ(run.verdict.value("status", ""), "exited") << run.result;
  const double share = std::strtod(run.out().c_str(), nullptr);
  EXPECT_GT(share, 0.25) << run.result;
  EXPECT_LT(share, 0.65) << run.result;
  EXPECT_EQ(run.cgroup_layer().value("enforced", false), true) << run.result;
}

TEST(CgroupLimitTest, TheRunsCgroupIsGoneAfterwards) {
  REQUIRE_CGROUP_V2();
  auto proc = sbx::e2e::start_sbx({"exec", "--no-workspace", "--json", "--pids", "32", "--memory", "128M",
                                   "--cpus", "1", "--", "sh", "-c", "sleep 30 & sleep 30 & echo started"},
                                  in_tmp(60));
  const pid_t sbx_pid = proc.pid();
  const RunResult r = proc.wait();
  const auto verdict = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(verdict.is_object()) << r;
  EXPECT_EQ(verdict.value("status", ""), "exited") << r;
  const auto& layer = verdict.at("layers").at("cgroup");
  ASSERT_EQ(layer.value("enforced", false), true) << r;
  const std::string path = layer.value("path", "");
  EXPECT_NE(path.find("/sbx.run." + std::to_string(sbx_pid) + "."), std::string::npos) << path;
  EXPECT_FALSE(std::filesystem::exists(path)) << path;
  EXPECT_EQ(joined(leftovers_after(sbx_pid)), "(none)");
}

TEST(CgroupLimitTest, ExplicitParentIsUsedAndStaleRunsOfAKilledSbxAreRemoved) {
  REQUIRE_CGROUP_V2();
  if (geteuid() != 0) GTEST_SKIP() << "makes its own parent cgroup, which needs root";
  const auto mount = cgroup2_mount();
  const std::string parent = *mount + "/sbx-e2e-parent." + std::to_string(getpid());
  ASSERT_EQ(mkdir(parent.c_str(), 0755), 0) << parent;
  struct Cleanup {
    std::string path;
    ~Cleanup() { std::filesystem::remove(path); }
  } cleanup{parent};

  // A run that is SIGKILLed leaves its run cgroup behind.
  const std::string marker = sbx::e2e::unique_marker();
  auto victim = sbx::e2e::start_sbx({"exec", "--no-workspace", "--cgroup-parent", parent, "--pids", "32", "--",
                                     "sleep", "30", marker},
                                    in_tmp(30));
  std::vector<std::string> stale;
  for (int i = 0; i < 100 && stale.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const auto& e : sbx::e2e::dir_entries(parent)) {
      if (e.rfind("sbx.run." + std::to_string(victim.pid()) + ".", 0) == 0) stale.push_back(parent + "/" + e);
    }
  }
  ASSERT_EQ(stale.size(), 1u) << joined(stale);
  kill(victim.pid(), SIGKILL);
  (void)victim.wait();
  ASSERT_TRUE(std::filesystem::exists(stale[0]));

  const JsonRun run = run_json({"--cgroup-parent", parent, "--pids", "32", "--", "true"});
  EXPECT_EQ(run.verdict.value("status", ""), "exited") << run.result;
  EXPECT_EQ(run.cgroup_layer().value("path", "").rfind(parent + "/sbx.run.", 0), 0u) << run.result;
  EXPECT_FALSE(std::filesystem::exists(stale[0])) << "stale " << stale[0] << " was not removed";
  EXPECT_TRUE(sbx::e2e::processes_with_marker(marker).empty()) << "the killed run's sandbox still runs";
  std::vector<std::string> left;
  for (const auto& e : sbx::e2e::dir_entries(parent)) {
    if (e.rfind("sbx.", 0) == 0) left.push_back(e);
  }
  EXPECT_EQ(joined(left), "(none)");
}

// Under `systemd-run --scope -p Delegate=yes` (the fix sbx's refusal suggests) sbx uses the
// cgroup it was given in place; in a scope without Delegate=yes it must not reorganize systemd's
// cgroup (root could write it) and asks for a scope of its own instead. (A user manager's scopes
// all belong to the user, and systemd before 254 marks none of them as delegated, so for an
// ordinary user writable is taken to mean delegated; the undelegated half is root's.)
TEST(CgroupLimitTest, ADelegatedScopeIsUsedInPlaceAndAnUndelegatedOneIsLeftAlone) {
  REQUIRE_CGROUP_V2();
  if (access("/usr/bin/systemd-run", X_OK) != 0) GTEST_SKIP() << "no systemd-run";
  for (const bool delegate : {true, false}) {
    if (!delegate && geteuid() != 0) continue;
    std::vector<std::string> argv = {"/usr/bin/systemd-run", "--quiet", "--scope"};
    if (geteuid() != 0) argv.insert(argv.begin() + 1, "--user");
    if (delegate) argv.insert(argv.end(), {"-p", "Delegate=yes"});
    argv.insert(argv.end(), {"--", sbx::e2e::sbx_binary(), "exec", "--no-workspace", "--json", "--pids", "16", "--",
                             "cat", "/proc/self/cgroup"});
    RunOptions options = in_tmp(60);
    const RunResult r = sbx::e2e::run(argv, options);
    const auto verdict = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(verdict.is_object()) << r;
    EXPECT_EQ(verdict.value("status", ""), "exited") << r;
    const auto& layer = verdict.at("layers").at("cgroup");
    EXPECT_EQ(layer.value("enforced", false), true) << r;
    const std::string placement = layer.value("placement", "");
    if (delegate) {
      EXPECT_EQ(placement.rfind("delegated cgroup ", 0), 0u) << r;
      EXPECT_NE(placement.find("/run-"), std::string::npos) << "not systemd-run's scope: " << placement;
    } else {
      EXPECT_EQ(placement.rfind("systemd scope sbx-", 0), 0u) << r;
    }
  }
  // Each scope is collected once sbx has left it, with everything sbx made inside.
  std::vector<std::string> left;
  for (int i = 0; i < 50; ++i) {
    // What sbx itself makes (a leaf it moves into, one cgroup per run); not units such as
    // sbx.service, which the package's service has.
    left = cgroups_named([](const std::string& name) {
      return name.rfind("sbx.leaf.", 0) == 0 || name.rfind("sbx.run.", 0) == 0;
    });
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(joined(left), "(none)");
}

// --- Required versus best-effort (any host) -----------------------------------------------------

TEST(CgroupPolicyTest, RequiredLimitsWithoutACgroupRefuseToRunAnything) {
  sbx::e2e::TempDir dir;
  RunOptions options;
  options.cwd = "/tmp";
  const RunResult r = sbx::e2e::run_sbx({"exec", "--no-workspace", "-v", dir.path() + ":/out", "--cgroup-parent",
                                         "/sys/fs/cgroup/sbx-no-such-parent", "--pids", "10", "--", "sh", "-c",
                                         "echo ran > /out/ran"},
                                        options);
  EXPECT_EQ(r.status(), 125) << r;
  EXPECT_FALSE(std::filesystem::exists(dir / "ran")) << "the command ran without its limits";
  EXPECT_NE(r.err.find("sbx: error:"), std::string::npos) << r;
  EXPECT_NE(r.err.find("--cgroup-parent /sys/fs/cgroup/sbx-no-such-parent"), std::string::npos) << r;
  EXPECT_NE(r.err.find("--cgroup best-effort"), std::string::npos) << "the refusal names no fix: " << r;
}

TEST(CgroupPolicyTest, RequiredIsTheDefaultAndFailsClosedWhereNoCgroupCanBeHad) {
  const std::string why = why_no_cgroup();
  if (why.empty()) GTEST_SKIP() << "this host can give sbx a cgroup; CgroupLimitTest covers it";
  sbx::e2e::TempDir dir;
  RunOptions options;
  options.cwd = "/tmp";
  const RunResult r = sbx::e2e::run_sbx(
      {"exec", "--no-workspace", "-v", dir.path() + ":/out", "--memory", "64M", "--", "sh", "-c", "echo ran > /out/ran"},
      options);
  EXPECT_EQ(r.status(), 125) << r;
  EXPECT_FALSE(std::filesystem::exists(dir / "ran")) << "the command ran without its limits";
  EXPECT_NE(r.err.find("systemd-run --user --scope -p Delegate=yes"), std::string::npos) << r;
}

TEST(CgroupPolicyTest, BestEffortFallsBackToRlimitsAndSaysSo) {
  if (sbx::e2e::kSbxBuiltWithAsan) {
    // The sandbox's init is sbx's own code: under AddressSanitizer it must map shadow memory
    // after vfork, which RLIMIT_AS forbids (ASan does not support ulimit -v).
    GTEST_SKIP() << "AddressSanitizer cannot run under RLIMIT_AS; the regular build runs this test";
  }
  const JsonRun run = run_json({"--cgroup-parent", "/sys/fs/cgroup/sbx-no-such-parent", "--cgroup", "best-effort",
                                "--pids", "10", "--memory", "64M", "--cpus", "0.5", "--", "sh", "-c",
                                "ulimit -v; grep '^Max processes' /proc/self/limits"});
  EXPECT_EQ(run.verdict.value("status", ""), "exited") << run.result;
  const auto& layer = run.cgroup_layer();
  EXPECT_EQ(layer.value("enforced", true), false) << run.result;
  EXPECT_NE(layer.value("detail", "").find("sbx-no-such-parent"), std::string::npos) << run.result;
  EXPECT_NE(layer.at("fallback").value("memory", "").find("RLIMIT_AS"), std::string::npos) << run.result;
  EXPECT_NE(layer.at("fallback").value("pids", "").find("RLIMIT_NPROC"), std::string::npos) << run.result;
  EXPECT_NE(layer.at("fallback").value("cpus", "").find("not enforced"), std::string::npos) << run.result;
  // Inside: the address space is 64 MiB (in KiB) and 10 processes at most.
  std::istringstream out(run.out());
  std::string as_kib, line;
  std::getline(out, as_kib);
  std::getline(out, line);
  EXPECT_EQ(as_kib, "65536") << run.result;
  std::istringstream fields(line.substr(std::string("Max processes").size()));
  std::string soft, hard;
  fields >> soft >> hard;
  EXPECT_EQ(soft, "10") << line;
  EXPECT_EQ(hard, "10") << line;
  // And a warning says the limits are weaker than asked.
  EXPECT_NE(run.result.err.find("best-effort"), std::string::npos) << run.result;
}

}  // namespace
