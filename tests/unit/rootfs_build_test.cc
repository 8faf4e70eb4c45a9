// Pure parts of the builder: apt sources, build mode choice, mmdebstrap's arguments, progress.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rootfs/apt_sources.h"
#include "rootfs/build_progress.h"
#include "rootfs/builder.h"

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

namespace sbx::rootfs {
namespace {

TEST(AptSources, ReadsBothFormatsAndKeepsOnlyDebian) {
  const auto one_line = parse_one_line_sources(
      "# comment\n"
      "deb http://deb.debian.org/debian bookworm main contrib\n"
      "deb-src http://deb.debian.org/debian bookworm main\n"
      "deb [arch=amd64 signed-by=/k.gpg] https://packages.example.com/apt stable main\n");
  ASSERT_EQ(one_line.size(), 2u);
  EXPECT_EQ(one_line[0].uri, "http://deb.debian.org/debian");
  EXPECT_EQ(one_line[0].components, (std::vector<std::string>{"main", "contrib"}));
  EXPECT_EQ(one_line[1].uri, "https://packages.example.com/apt");

  const auto deb822 = parse_deb822_sources(
      "Types: deb\n"
      "URIs: http://deb.debian.org/debian\n"
      "Suites: bookworm bookworm-updates\n"
      "Components: main\n"
      "\n"
      "Types: deb-src\n"
      "URIs: http://deb.debian.org/debian\n"
      "Suites: bookworm\n"
      "\n"
      "Types: deb\n"
      "URIs: http://deb.debian.org/debian-security\n"
      "Suites: bookworm-security\n"
      "Components: main\n"
      "Enabled: no\n");
  ASSERT_EQ(deb822.size(), 1u);
  EXPECT_EQ(source_lines(deb822), (std::vector<std::string>{"deb http://deb.debian.org/debian bookworm main",
                                                            "deb http://deb.debian.org/debian bookworm-updates main"}));
  EXPECT_EQ(base_suite(deb822), "bookworm");

  EXPECT_TRUE(is_debian_archive("http://deb.debian.org/debian"));
  EXPECT_TRUE(is_debian_archive("https://security.debian.org/debian-security"));
  EXPECT_TRUE(is_debian_archive("http://mirror.example.net/debian/"));
  EXPECT_TRUE(is_debian_archive("http://snapshot.debian.org/archive/debian/20250520T000000Z"));
  EXPECT_FALSE(is_debian_archive("https://deb.nodesource.com/node_20.x"));
  EXPECT_FALSE(is_debian_archive("https://packages.cloud.google.com/apt"));
  EXPECT_FALSE(is_debian_archive("file:/srv/debian"));
}

TEST(BuildMode, RootBuildsAsRootUsersUnshareOrFakechroot) {
  HostAbilities root{0, false, false, false};
  EXPECT_EQ(*choose_build_mode(BuildMode::kAuto, root), BuildMode::kRoot);
  EXPECT_EQ(*choose_build_mode(BuildMode::kUnshare, root), BuildMode::kUnshare);

  HostAbilities user{1000, true, true, false};
  EXPECT_EQ(*choose_build_mode(BuildMode::kAuto, user), BuildMode::kUnshare);
  auto as_root = choose_build_mode(BuildMode::kRoot, user);
  ASSERT_FALSE(as_root.has_value());
  EXPECT_THAT(as_root.error().message, HasSubstr("--mode root needs root"));

  HostAbilities no_subids{1000, false, true, true};
  EXPECT_EQ(*choose_build_mode(BuildMode::kAuto, no_subids), BuildMode::kFakechroot);
  auto unshare = choose_build_mode(BuildMode::kUnshare, no_subids);
  ASSERT_FALSE(unshare.has_value());
  EXPECT_THAT(unshare.error().message, HasSubstr("/etc/subuid"));

  HostAbilities nothing{1000, false, false, false};
  auto none = choose_build_mode(BuildMode::kAuto, nothing);
  ASSERT_FALSE(none.has_value());
  EXPECT_THAT(none.error().message, HasSubstr("usermod --add-subuids"));
  EXPECT_FALSE(parse_build_mode("docker").has_value());
}

TEST(BuildMode, SubordinateRangesByNameOrUid) {
  const char* subuid = "alice:100000:65536\n1001:165536:65536\n";
  EXPECT_TRUE(has_subordinate_range(subuid, "alice", 1000));
  EXPECT_TRUE(has_subordinate_range(subuid, "bob", 1001));
  EXPECT_FALSE(has_subordinate_range(subuid, "nobody", 65534));
}

TEST(Mmdebstrap, ArgumentsCarryTheRecipe) {
  Recipe r;
  r.name = "t";
  r.packages = {"python3", "python3-numpy"};
  r.trim.remove = {"/usr/share/doc/*", "/var/lib/apt/lists/*"};
  r.trim.keep = {"/usr/share/doc/*/copyright"};
  const auto argv = mmdebstrap_argv(r, BuildMode::kUnshare, "bookworm", "/s/.build-t-1/rootfs.tar",
                                    {"deb http://deb.debian.org/debian bookworm main"});
  EXPECT_EQ(argv[0], "mmdebstrap");
  EXPECT_THAT(argv, Contains("--mode=unshare"));
  EXPECT_THAT(argv, Contains("--variant=minbase"));
  EXPECT_THAT(argv, Contains("--include=python3,python3-numpy"));
  EXPECT_THAT(argv, Contains("--format=tar"));
  EXPECT_THAT(argv, Contains("--aptopt=APT::Install-Recommends \"false\""));
  EXPECT_THAT(argv, Contains("--dpkgopt=path-exclude=/usr/share/doc/*"));
  EXPECT_THAT(argv, Contains("--dpkgopt=path-include=/usr/share/doc/*/copyright"));
  // Paths packages may need while installing are trimmed afterwards, not filtered by dpkg.
  EXPECT_THAT(argv, Not(Contains("--dpkgopt=path-exclude=/var/lib/apt/lists/*")));
  EXPECT_EQ(argv[argv.size() - 3], "bookworm");
  EXPECT_EQ(argv[argv.size() - 2], "/s/.build-t-1/rootfs.tar");
  EXPECT_EQ(argv.back(), "deb http://deb.debian.org/debian bookworm main");
  EXPECT_THAT(mmdebstrap_argv(r, BuildMode::kRoot, "bookworm", "/x", {}), Contains("--format=directory"));
}

TEST(Progress, FollowsStepsAndPackageCounts) {
  std::FILE* sink = std::fopen("/dev/null", "w");
  ASSERT_NE(sink, nullptr);
  {
    BuildProgress p("python", /*terminal=*/false, sink);
    p.line("I: chroot architecture amd64 is equal to the host's architecture");
    p.line("I: running apt-get update...");
    EXPECT_EQ(p.current_step(), "running apt-get update");
    p.line("Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]");
    EXPECT_EQ(p.packages_done(), 0);  // index downloads are not packages
    p.line("I: downloading packages with apt...");
    p.line("0 upgraded, 69 newly installed, 0 to remove and 0 not upgraded.");
    p.line("Get:1 http://deb.debian.org/debian bookworm/main amd64 libc6 amd64 2.36 [2757 kB]");
    p.line("Get:2 http://deb.debian.org/debian bookworm/main amd64 bash amd64 5.2 [1500 kB]");
    EXPECT_EQ(p.packages_total(), 69);
    EXPECT_EQ(p.packages_done(), 2);
    EXPECT_EQ(p.status_text(std::chrono::seconds(75)), "downloading packages with apt · 2/69 packages fetched · 1:15");
    p.line("I: installing remaining packages inside the chroot...");
    p.line("0 upgraded, 30 newly installed, 0 to remove and 0 not upgraded.");
    p.line("Setting up libc6:amd64 (2.36-9) ...");
    EXPECT_EQ(p.packages_total(), 99);
    EXPECT_EQ(p.status_text(std::chrono::seconds(5)),
              "installing remaining packages inside the chroot · 1/99 packages set up · 0:05");
    p.line("I: success in 46.7 seconds");
    EXPECT_EQ(p.current_step(), "installing remaining packages inside the chroot");
  }
  std::fclose(sink);
}

}  // namespace
}  // namespace sbx::rootfs
