// Who the program is inside: uid/gid, capabilities, no_new_privs, and its place in a PID
// namespace of its own.
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "probe.h"

namespace sbx::e2e {
namespace {

TEST(IdentityTest, DefaultsToUidAndGid1000WithoutSupplementaryGroups) {
  const RunResult r = run_probe({}, {"ids"});
  ASSERT_TRUE(Succeeded(r));
  const auto ids = key_values(r.out);
  EXPECT_EQ(ids.at("uid"), "1000") << r;
  EXPECT_EQ(ids.at("euid"), "1000") << r;
  EXPECT_EQ(ids.at("gid"), "1000") << r;
  EXPECT_EQ(ids.at("egid"), "1000") << r;
  // Either no supplementary groups or just the primary one; never a host group such as 0.
  EXPECT_TRUE(ids.at("groups").empty() || ids.at("groups") == "1000") << r;
}

TEST(IdentityTest, UidAndGidFlagsChooseTheIdentity) {
  const RunResult r = run_probe({"--uid", "1234", "--gid", "4321"}, {"ids"});
  ASSERT_TRUE(Succeeded(r));
  const auto ids = key_values(r.out);
  EXPECT_EQ(ids.at("uid"), "1234") << r;
  EXPECT_EQ(ids.at("euid"), "1234") << r;
  EXPECT_EQ(ids.at("gid"), "4321") << r;
  EXPECT_EQ(ids.at("egid"), "4321") << r;
}

// Every capability set and the bounding set empty, no_new_privs set, seccomp in filter mode.
void ExpectNoPrivileges(const RunResult& r) {
  ASSERT_TRUE(Succeeded(r));
  const auto caps = key_values(r.out);
  for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    ASSERT_TRUE(caps.count(set)) << set << r;
    EXPECT_EQ(caps.at(set), "0000000000000000") << set << r;
  }
  EXPECT_EQ(caps.at("NoNewPrivs"), "1") << r;
  EXPECT_EQ(caps.at("Seccomp"), "2") << r;
}

TEST(IdentityTest, NoCapabilitiesAndNoNewPrivs) { ExpectNoPrivileges(run_probe({}, {"caps"})); }

TEST(IdentityTest, UidZeroIsRootByNameOnly) {
  const RunResult ids = run_probe({"--uid", "0", "--gid", "0"}, {"ids"});
  ASSERT_TRUE(Succeeded(ids));
  EXPECT_EQ(key_values(ids.out).at("uid"), "0") << ids;
  EXPECT_EQ(key_values(ids.out).at("euid"), "0") << ids;
  ExpectNoPrivileges(run_probe({"--uid", "0", "--gid", "0"}, {"caps"}));
}

// `id` as a user would read it: root's own group with --uid 0 alone, as docker run --user 0 gives.
TEST(IdentityTest, UidZeroAloneIsRootInRootsGroup) {
  const RunResult r = run_sbx({"exec", "--uid", "0", "--", "id"});
  ASSERT_EQ(r.status(), 0) << r;
  EXPECT_EQ(r.out, "uid=0(root) gid=0(root) groups=0(root)\n") << r;
  const RunResult nobody = run_sbx({"exec", "--uid", "65534", "--", "id"});
  ASSERT_EQ(nobody.status(), 0) << nobody;
  EXPECT_EQ(nobody.out, "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n") << nobody;
}

// The allow half: the same probe outside the sandbox reports the caller's real ids, so the
// assertions above are about sbx, not about the probe.
TEST(IdentityTest, ProbeOnTheHostSeesTheCallersIds) {
  const RunResult r = run_probe_on_host({"ids"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(key_values(r.out).at("uid"), std::to_string(::getuid())) << r;
}

std::set<long> pid_list(const RunResult& r) {
  std::set<long> pids;
  std::istringstream in(key_values(r.out).at("pids"));
  for (std::string p; std::getline(in, p, ',');) pids.insert(std::stol(p));
  return pids;
}

TEST(IdentityTest, ProgramIsPid2AndHostProcessesAreInvisible) {
  const RunResult r = run_probe({}, {"pids"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(key_values(r.out).at("self"), "2") << r;
  // PID 1 is sbx's init, PID 2 the program: nothing of the host, not even this test.
  EXPECT_EQ(pid_list(r), (std::set<long>{1, 2})) << r;
}

TEST(IdentityTest, ProbeOnTheHostSeesHostProcesses) {
  const RunResult r = run_probe_on_host({"pids"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(pid_list(r).count(::getpid())) << "the test's own pid " << ::getpid() << r;
}

}  // namespace
}  // namespace sbx::e2e
