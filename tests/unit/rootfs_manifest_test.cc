#include "rootfs/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;

namespace sbx::rootfs {
namespace {

Manifest sample() {
  Manifest m;
  m.name = "python";
  m.description = "Python 3 \"with\" numpy";
  m.recipe_sha256 = std::string(64, 'a');
  m.commands = {"python", "python3"};
  m.default_command = {"python3"};
  m.policy = "python";
  m.packages = {{"libc6", "2.36-9+deb12u10", "amd64"}, {"python3", "3.11.2-1+b1", "amd64"}};
  m.size_bytes = 123456789;
  m.entries = 4242;
  m.built_at = "2026-11-22T19:50:03Z";
  m.build_seconds = 81.5;
  m.build_mode = "root";
  m.suite = "bookworm";
  m.sources = {"deb http://deb.debian.org/debian bookworm main"};
  m.sbx_version = "0.1.0";
  m.builder_revision = 7;
  m.content_hash = "sha256:" + std::string(64, 'b');
  return m;
}

TEST(Manifest, RoundTrips) {
  const Manifest m = sample();
  auto back = manifest_from_json(manifest_to_json(m));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(manifest_to_json(*back), manifest_to_json(m));
  EXPECT_EQ(back->name, m.name);
  EXPECT_EQ(back->description, m.description);
  EXPECT_EQ(back->commands, m.commands);
  ASSERT_EQ(back->packages.size(), 2u);
  EXPECT_EQ(back->packages[1].version, "3.11.2-1+b1");
  EXPECT_EQ(back->size_bytes, m.size_bytes);
  EXPECT_DOUBLE_EQ(back->build_seconds, m.build_seconds);
  EXPECT_EQ(back->content_hash, m.content_hash);
  EXPECT_EQ(back->builder_revision, 7);
}

// Trees from before the field existed read as revision 1, so --if-changed rebuilds them.
TEST(Manifest, MissingBuilderRevisionIsTheFirst) {
  std::string text = manifest_to_json(sample());
  const auto at = text.find("  \"builder_revision\": 7,\n");
  ASSERT_NE(at, std::string::npos) << text;
  text.erase(at, std::string("  \"builder_revision\": 7,\n").size());
  auto r = manifest_from_json(text);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->builder_revision, 1);
}

TEST(Manifest, RejectsBrokenInputNamingTheField) {
  EXPECT_FALSE(manifest_from_json("not json").has_value());
  EXPECT_FALSE(manifest_from_json("[]").has_value());
  std::string text = manifest_to_json(sample());
  const std::string wrong_type = std::string(text).replace(text.find("\"size_bytes\": 123456789"),
                                                           23, "\"size_bytes\": \"big\"");
  auto r = manifest_from_json(wrong_type);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("size_bytes"));
  const std::string future = std::string(text).replace(text.find("\"format\": 1"), 11, "\"format\": 9");
  r = manifest_from_json(future);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message, HasSubstr("format 9"));
}

TEST(Manifest, ReadsInstalledPackagesFromDpkgStatus) {
  const char* status =
      "Package: zlib1g\n"
      "Status: install ok installed\n"
      "Architecture: amd64\n"
      "Version: 1:1.2.13.dfsg-1\n"
      "Description: compression library\n"
      " continuation line: with a colon\n"
      "\n"
      "Package: removed-one\n"
      "Status: deinstall ok config-files\n"
      "Version: 1.0\n"
      "\n"
      "Package: bash\n"
      "Status: install ok installed\n"
      "Architecture: amd64\n"
      "Version: 5.2.15-2+b7\n";
  const auto packages = parse_dpkg_status(status);
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(packages[0].name, "bash");
  EXPECT_EQ(packages[0].version, "5.2.15-2+b7");
  EXPECT_EQ(packages[1].name, "zlib1g");
  EXPECT_EQ(packages[1].version, "1:1.2.13.dfsg-1");
  EXPECT_EQ(packages[1].architecture, "amd64");
}

TEST(Manifest, TimestampIsUtcRfc3339) {
  const std::string ts = utc_timestamp_now();
  ASSERT_EQ(ts.size(), 20u);
  EXPECT_EQ(ts[4], '-');
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts.back(), 'Z');
}

}  // namespace
}  // namespace sbx::rootfs
