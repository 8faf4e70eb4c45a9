#include "rootfs/generated_etc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fake_host_view.h"

namespace sbx::rootfs {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

std::map<std::string, std::string> by_name(const std::vector<GeneratedFile>& files) {
  std::map<std::string, std::string> out;
  for (const auto& f : files) {
    EXPECT_TRUE(out.emplace(f.name, f.contents).second) << "duplicate " << f.name;
    EXPECT_EQ(f.name.find('/'), std::string::npos) << "names are relative to /etc: " << f.name;
  }
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The user names passwd/group lines give for a numeric id (field 3).
std::vector<std::string> names_with_id(const std::string& db, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& line : lines(db)) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string f; std::getline(in, f, ':');) fields.push_back(f);
    if (fields.size() >= 3 && fields[2] == id) out.push_back(fields[0]);
  }
  return out;
}

class GeneratedEtc : public ::testing::Test {
 protected:
  std::map<std::string, std::string> generate(const policy::Policy& p) {
    return by_name(generated_etc_files(p, host_));
  }
  fakes::FakeHostView host_ = fakes::FakeHostView::debian();
};

TEST_F(GeneratedEtc, ExactlyTheSmallSetOfFiles) {
  const auto files = generate(policy::Policy{});
  std::vector<std::string> names;
  for (const auto& [name, _] : files) names.push_back(name);
  EXPECT_THAT(names, UnorderedElementsAre("passwd", "group", "hosts", "hostname", "resolv.conf",
                                          "nsswitch.conf"));
  // The tree /etc placement iterates the names without generating the files.
  EXPECT_THAT(names, UnorderedElementsAreArray(kGeneratedEtcNames));
  for (const auto& [name, contents] : files) {
    ASSERT_FALSE(contents.empty()) << name;
    EXPECT_EQ(contents.back(), '\n') << name << " ends with a newline";
  }
}

TEST_F(GeneratedEtc, PasswdAndGroupHaveRootSandboxUserAndNobody) {
  policy::Policy p;
  p.uid = 1234;
  p.gid = 5678;
  const auto files = generate(p);
  const std::string& passwd = files.at("passwd");
  const std::string& group = files.at("group");
  EXPECT_THAT(lines(passwd), Contains("root:x:0:0:root:/root:/bin/sh"));
  EXPECT_THAT(lines(passwd), Contains("sandbox:x:1234:5678:sbx sandbox user:/tmp:/bin/sh"));
  EXPECT_THAT(lines(passwd), Contains("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"));
  EXPECT_THAT(lines(group), Contains("root:x:0:"));
  EXPECT_THAT(lines(group), Contains("sandbox:x:5678:"));
  EXPECT_THAT(lines(group), Contains("nogroup:x:65534:"));
  EXPECT_EQ(lines(passwd).size(), 3u);
  EXPECT_EQ(lines(group).size(), 3u);
}

TEST_F(GeneratedEtc, SandboxUserHomeIsTheWritableTmp) {
  const auto files = generate(policy::Policy{});
  EXPECT_THAT(lines(files.at("passwd")), Contains("sandbox:x:1000:1000:sbx sandbox user:/tmp:/bin/sh"));
}

TEST_F(GeneratedEtc, RootInsideIsNotListedTwice) {
  policy::Policy p;
  p.uid = 0;
  p.gid = 0;
  p.user_name = "root";
  const auto files = generate(p);
  EXPECT_THAT(names_with_id(files.at("passwd"), "0"), ElementsAre("root"));
  EXPECT_THAT(names_with_id(files.at("group"), "0"), ElementsAre("root"));
}

TEST_F(GeneratedEtc, NobodyInsideIsNotListedTwice) {
  policy::Policy p;
  p.uid = 65534;
  p.gid = 65534;
  p.user_name = "nobody";
  const auto files = generate(p);
  EXPECT_THAT(names_with_id(files.at("passwd"), "65534"), ElementsAre("nobody"));
  EXPECT_THAT(names_with_id(files.at("group"), "65534"), ElementsAre("nogroup"));
}

// --uid 0 keeps gid 1000: that group must not be a second "root" (getgrnam("root") would find
// gid 0 while `id` showed gid=1000(root)); it goes unnamed, as with docker run --user 0:1000.
TEST_F(GeneratedEtc, NoGroupNameIsGivenTwice) {
  for (const std::string name : {"root", "nogroup"}) {
    policy::Policy p;
    p.uid = name == "root" ? 0 : 1000;
    p.gid = 1000;
    p.user_name = name;
    const auto files = generate(p);
    EXPECT_THAT(names_with_id(files.at("group"), "1000"), ElementsAre()) << name;
    EXPECT_EQ(lines(files.at("group")).size(), 2u) << files.at("group");
  }
}

TEST_F(GeneratedEtc, UserInRootGroupGetsNoSecondGroupZero) {
  policy::Policy p;
  p.uid = 1000;
  p.gid = 0;
  const auto files = generate(p);
  EXPECT_THAT(lines(files.at("passwd")), Contains("sandbox:x:1000:0:sbx sandbox user:/tmp:/bin/sh"));
  EXPECT_THAT(names_with_id(files.at("group"), "0"), ElementsAre("root"));
  EXPECT_THAT(files.at("group"), Not(HasSubstr("sandbox")));
}

TEST_F(GeneratedEtc, NothingFromTheHostsAccountDatabases) {
  const auto files = generate(policy::Policy{});
  for (const auto& [name, contents] : files) {
    EXPECT_THAT(contents, Not(HasSubstr("SECRETHASH"))) << name;
    EXPECT_THAT(contents, Not(HasSubstr("alice"))) << name;
    EXPECT_THAT(contents, Not(HasSubstr("/bin/bash"))) << name;
    EXPECT_THAT(contents, Not(HasSubstr("$6$"))) << name;
  }
  for (const auto& read : host_.reads()) {
    EXPECT_THAT(read, Not(HasSubstr("shadow")));
    EXPECT_NE(read, "/etc/passwd");
    EXPECT_NE(read, "/etc/group");
    EXPECT_NE(read, "/etc/sudoers");
  }
}

TEST_F(GeneratedEtc, HostsAndHostnameUseThePolicyHostname) {
  policy::Policy p;
  p.hostname = "builder-7";
  const auto files = generate(p);
  EXPECT_EQ(files.at("hostname"), "builder-7\n");
  const auto hosts = lines(files.at("hosts"));
  EXPECT_THAT(hosts, Contains("127.0.0.1\tlocalhost"));
  EXPECT_THAT(hosts, Contains("::1\tlocalhost ip6-localhost ip6-loopback"));
  EXPECT_THAT(hosts, Contains("127.0.1.1\tbuilder-7"));
  EXPECT_EQ(generate(policy::Policy{}).at("hostname"), "sbx\n");
}

TEST_F(GeneratedEtc, NoResolversWithoutNetworkAndTheHostsWithIt) {
  policy::Policy p;
  const auto isolated = generate(p);
  EXPECT_THAT(isolated.at("resolv.conf"), Not(HasSubstr("nameserver")));
  EXPECT_THAT(isolated.at("resolv.conf"), HasSubstr("no network"));
  EXPECT_THAT(host_.reads(), IsEmpty()) << "an isolated sandbox reads nothing from the host";
  p.network = policy::NetworkMode::kLoopback;
  EXPECT_EQ(generate(p).at("resolv.conf"), isolated.at("resolv.conf")) << "its own loopback has no resolver";
  EXPECT_THAT(host_.reads(), IsEmpty());

  p.network = policy::NetworkMode::kHost;
  const auto shared = generate(p);
  EXPECT_EQ(shared.at("resolv.conf"), "nameserver 192.0.2.53\n");
  // The host's names, and the sandbox's own.
  EXPECT_EQ(shared.at("hosts"), "127.0.0.1 localhost\n192.0.2.10 db.internal\n127.0.1.1\tsbx\n");
  EXPECT_THAT(host_.reads(), ElementsAre("/etc/resolv.conf", "/etc/hosts"));
}

TEST_F(GeneratedEtc, AHostsFileOfBlockListSizeIsNotCopied) {
  host_.file("/etc/hosts", std::string(300 * 1024, '#'));
  policy::Policy p;
  p.network = policy::NetworkMode::kHost;
  EXPECT_EQ(generate(p).at("hosts"), generate(policy::Policy{}).at("hosts"));
}

TEST_F(GeneratedEtc, NsswitchUsesOnlyFilesAndDns) {
  const auto files = generate(policy::Policy{});
  const std::string& nss = files.at("nsswitch.conf");
  EXPECT_THAT(lines(nss), Contains("passwd: files"));
  EXPECT_THAT(lines(nss), Contains("hosts: files dns"));
  for (const char* service : {"sss", "ldap", "systemd", "nis", "winbind", "mdns"}) {
    EXPECT_THAT(nss, Not(HasSubstr(service))) << "no daemon lookups from inside: " << service;
  }
}

TEST(HostEtcEntries, OnlyTheAllowListAndRuntimePrefixes) {
  fakes::FakeHostView host = fakes::FakeHostView::debian();
  host.dir("/etc/node").dir("/etc/java-21-openjdk").dir("/etc/pam.d").dir("/etc/sudoers.d");
  host.file("/etc/krb5.keytab", "k").file("/etc/ssl-extra", "x").file("/etc/timezone", "Etc/UTC\n");
  const auto entries = host_etc_entries(host);
  EXPECT_THAT(entries, UnorderedElementsAre("ca-certificates", "java-17-openjdk", "java-21-openjdk",
                                            "ld.so.cache", "localtime", "magic", "node", "os-release",
                                            "python3.11", "ssl", "timezone"));
  for (const char* never : {"shadow", "gshadow", "passwd", "group", "sudoers", "sudoers.d", "ssh",
                            "machine-id", "resolv.conf", "pam.d", "krb5.keytab", "initctl", "ssl-extra"}) {
    EXPECT_THAT(entries, Not(Contains(never))) << never;
  }
  EXPECT_THAT(host.reads(), IsEmpty()) << "choosing entries reads no file contents";
}

TEST(HostEtcEntries, EmptyWhenTheHostHasNoEtc) {
  fakes::FakeHostView host;
  EXPECT_THAT(host_etc_entries(host), IsEmpty());
}

}  // namespace
}  // namespace sbx::rootfs
