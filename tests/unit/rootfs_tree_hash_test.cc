#include "rootfs/tree_hash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rootfs_test_tree.h"

using ::testing::HasSubstr;

namespace sbx::rootfs {
namespace {

using testing::ScratchTree;

std::string hash_of(const std::string& root) {
  auto listing = list_tree(root);
  EXPECT_TRUE(listing.has_value()) << listing.error().message;
  return listing ? listing_hash(listing->text) : "";
}

TEST(TreeHash, ListsEveryKindWithModesAndData) {
  ScratchTree t;
  t.populate_rootfs();
  auto listing = list_tree(t.path());
  ASSERT_TRUE(listing.has_value()) << listing.error().message;
  const std::string& text = listing->text;
  EXPECT_THAT(text, HasSubstr("\n/bin l 0777 usr/bin\n"));
  EXPECT_THAT(text, HasSubstr("\n/tmp d 1777 -\n"));
  EXPECT_THAT(text, HasSubstr("/usr/bin/tool f 0755 "));
  EXPECT_EQ(text.substr(0, 2), "/ ");
  EXPECT_EQ(listing->entries, 13u);
  EXPECT_EQ(listing->file_bytes, 3u + 6u + 10u + 20u);
}

TEST(TreeHash, DeterministicAndIndependentOfCreationOrder) {
  ScratchTree a, b;
  a.populate_rootfs();
  // The same content created in another order, with other timestamps.
  b.dir("/tmp", 01777);
  b.link("/bin", "usr/bin");
  b.dir("/etc");
  b.file("/etc/os-release", "ID=debian\n");
  b.dir("/usr");
  b.dir("/usr/share");
  b.dir("/usr/share/doc");
  b.dir("/usr/share/doc/bash");
  b.file("/usr/share/doc/bash/README", "readme");
  b.file("/usr/share/doc/bash/copyright", "GPL");
  b.dir("/usr/bin");
  b.file("/usr/bin/tool", "#!/bin/sh\necho tool\n", 0755);
  EXPECT_EQ(hash_of(a.path()), hash_of(b.path()));
  EXPECT_EQ(hash_of(a.path()), hash_of(a.path()));
}

struct Tamper {
  const char* name;
  void (*apply)(const ScratchTree&);
  const char* path;
  const char* what;
};

TEST(TreeHash, DetectsEveryKindOfTamperingAndNamesThePath) {
  const Tamper cases[] = {
      {"contents", [](const ScratchTree& t) { t.file("/usr/bin/tool", "#!/bin/sh\necho evil\n", 0755); },
       "/usr/bin/tool", "contents changed"},
      {"mode", [](const ScratchTree& t) { ::chmod(t.at("/usr/bin/tool").c_str(), 04755); }, "/usr/bin/tool",
       "mode changed (0755 -> 4755)"},
      {"added", [](const ScratchTree& t) { t.file("/etc/evil", "x"); }, "/etc/evil", "added"},
      {"missing", [](const ScratchTree& t) { ::unlink(t.at("/etc/os-release").c_str()); }, "/etc/os-release",
       "missing"},
      {"symlink", [](const ScratchTree& t) {
         ::unlink(t.at("/bin").c_str());
         t.link("/bin", "/tmp");
       },
       "/bin", "symlink target changed (usr/bin -> /tmp)"},
      {"type", [](const ScratchTree& t) {
         ::unlink(t.at("/bin").c_str());
         t.dir("/bin");
       },
       "/bin", "type changed (l -> d)"},
  };
  for (const auto& c : cases) {
    ScratchTree t;
    t.populate_rootfs();
    auto before = list_tree(t.path());
    ASSERT_TRUE(before.has_value());
    c.apply(t);
    auto after = list_tree(t.path());
    ASSERT_TRUE(after.has_value()) << c.name;
    EXPECT_NE(listing_hash(before->text), listing_hash(after->text)) << c.name;
    auto diff = first_difference(before->text, after->text);
    ASSERT_TRUE(diff.has_value()) << c.name;
    EXPECT_EQ(diff->path, c.path) << c.name;
    EXPECT_EQ(diff->what, c.what) << c.name;
  }
}

TEST(TreeHash, NoDifferenceForEqualListings) {
  ScratchTree t;
  t.populate_rootfs();
  auto listing = list_tree(t.path());
  ASSERT_TRUE(listing.has_value());
  EXPECT_FALSE(first_difference(listing->text, listing->text).has_value());
}

TEST(TreeHash, OrderMatchesTheWalkForTrickyNames) {
  // '-' sorts before '/', so "/a-b" must come after the whole "/a" directory in walk order.
  ScratchTree t;
  t.dir("/a");
  t.file("/a/z", "1");
  t.file("/a-b", "2");
  auto before = list_tree(t.path());
  ASSERT_TRUE(before.has_value());
  t.file("/a/zz", "3");
  auto after = list_tree(t.path());
  ASSERT_TRUE(after.has_value());
  auto diff = first_difference(before->text, after->text);
  ASSERT_TRUE(diff.has_value());
  EXPECT_EQ(diff->path, "/a/zz");
  EXPECT_EQ(diff->what, "added");
}

TEST(TreeHash, EscapesOddBytesInNames) {
  EXPECT_EQ(escape_listing_field("a b\nc\\"), "a\\x20b\\x0ac\\x5c");
  for (const std::string& raw : std::vector<std::string>{"plain", "sp ace", "new\nline", "back\\slash", std::string("\x7f\x01", 2)}) {
    EXPECT_EQ(unescape_listing_field(escape_listing_field(raw)), raw);
  }
  ScratchTree t;
  t.file("/with space", "x");
  auto listing = list_tree(t.path());
  ASSERT_TRUE(listing.has_value());
  EXPECT_THAT(listing->text, HasSubstr("/with\\x20space f 0644 "));
}

TEST(TreeHash, UnreadableFileIsAnErrorNamingIt) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  ScratchTree t;
  t.file("/secret", "x", 0000);
  auto listing = list_tree(t.path());
  ASSERT_FALSE(listing.has_value());
  EXPECT_THAT(listing.error().message, HasSubstr("/secret"));
}

}  // namespace
}  // namespace sbx::rootfs
