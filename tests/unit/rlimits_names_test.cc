#include "rlimits/names.h"

#include <sys/resource.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sbx::rlimits {
namespace {

using ::testing::HasSubstr;

struct Known {
  const char* name;
  int resource;
};

constexpr Known kKnown[] = {
    {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},       {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},     {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},   {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},   {"rttime", RLIMIT_RTTIME},   {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

TEST(RlimitNames, EveryLinuxResourceHasOneNameBothWays) {
  std::set<int> resources;
  for (const auto& k : kKnown) {
    EXPECT_EQ(resource_from_name(k.name), k.resource) << k.name;
    EXPECT_STREQ(resource_name(k.resource), k.name);
    resources.insert(k.resource);
  }
  EXPECT_EQ(resources.size(), static_cast<size_t>(RLIMIT_NLIMITS)) << "all RLIMIT_* are covered";
}

TEST(RlimitNames, UnknownNamesAndResources) {
  for (const char* bad : {"", "NOFILE", "no_file", "nofiles", "rlimit_nofile", "openfiles", " nofile"}) {
    EXPECT_EQ(resource_from_name(bad), std::nullopt) << bad;
  }
  EXPECT_STREQ(resource_name(-1), "unknown");
  EXPECT_STREQ(resource_name(RLIMIT_NLIMITS), "unknown");
}

policy::Rlimit parse_ok(std::string_view spec) {
  auto r = parse_ulimit(spec);
  EXPECT_TRUE(r.has_value()) << spec << ": " << r.error().message;
  return r.has_value() ? *r : policy::Rlimit{-1, 0, 0};
}

std::string parse_error(std::string_view spec) {
  auto r = parse_ulimit(spec);
  EXPECT_FALSE(r.has_value()) << spec << " was accepted";
  return r.has_value() ? "" : r.error().message;
}

TEST(ParseUlimit, HardDefaultsToSoft) {
  const auto r = parse_ok("nofile=256");
  EXPECT_EQ(r.resource, RLIMIT_NOFILE);
  EXPECT_EQ(r.soft, 256u);
  EXPECT_EQ(r.hard, 256u);
}

TEST(ParseUlimit, SoftAndHard) {
  const auto r = parse_ok("nproc=100:200");
  EXPECT_EQ(r.resource, RLIMIT_NPROC);
  EXPECT_EQ(r.soft, 100u);
  EXPECT_EQ(r.hard, 200u);
  const auto zero = parse_ok("core=0:0");
  EXPECT_EQ(zero.soft, 0u);
  EXPECT_EQ(zero.hard, 0u);
}

TEST(ParseUlimit, UnlimitedAndInfinity) {
  const auto both = parse_ok("stack=unlimited");
  EXPECT_EQ(both.soft, static_cast<uint64_t>(RLIM_INFINITY));
  EXPECT_EQ(both.hard, static_cast<uint64_t>(RLIM_INFINITY));
  const auto hard_only = parse_ok("cpu=10:infinity");
  EXPECT_EQ(hard_only.soft, 10u);
  EXPECT_EQ(hard_only.hard, static_cast<uint64_t>(RLIM_INFINITY));
  EXPECT_THAT(parse_error("cpu=unlimited:10"), HasSubstr("soft limit is above the hard limit"));
}

TEST(ParseUlimit, SizesOnlyForByteValuedLimits) {
  EXPECT_EQ(parse_ok("fsize=10m").soft, 10u << 20);
  EXPECT_EQ(parse_ok("as=1.5g").soft, 3ull << 29);
  EXPECT_EQ(parse_ok("stack=8M:16M").hard, 16u << 20);
  EXPECT_EQ(parse_ok("memlock=64k").soft, 64u * 1024);
  EXPECT_EQ(parse_ok("core=1024").soft, 1024u);
  // Counts and seconds are whole numbers: a size suffix there is a mistake, not a multiplier.
  for (const char* bad : {"nofile=1k", "nproc=2m", "cpu=10s", "nice=1.5", "rtprio=-1"}) {
    EXPECT_THAT(parse_error(bad), HasSubstr("soft limit")) << bad;
  }
}

TEST(ParseUlimit, SoftAboveHardIsRefused) {
  EXPECT_EQ(parse_error("nofile=2048:1024"), "nofile: soft limit is above the hard limit");
  EXPECT_THAT(parse_error("fsize=2m:1m"), HasSubstr("fsize: soft limit is above the hard limit"));
  EXPECT_EQ(parse_ok("nofile=1024:1024").hard, 1024u) << "equal is fine";
}

TEST(ParseUlimit, MalformedSpecs) {
  EXPECT_THAT(parse_error("nofile"), HasSubstr("expected NAME=SOFT[:HARD]"));
  EXPECT_THAT(parse_error("nofile"), HasSubstr("\"nofile\""));
  EXPECT_THAT(parse_error("nofile="), HasSubstr("nofile soft limit"));
  EXPECT_THAT(parse_error("nofile=:5"), HasSubstr("nofile soft limit"));
  EXPECT_THAT(parse_error("nofile=5:"), HasSubstr("nofile hard limit"));
  EXPECT_THAT(parse_error("nofile=1:2:3"), HasSubstr("nofile hard limit"));
  EXPECT_THAT(parse_error("nofile=ten"), HasSubstr("\"ten\""));
  EXPECT_THAT(parse_error("nofile=99999999999999999999"), HasSubstr("nofile soft limit"));
}

TEST(ParseUlimit, UnknownNameListsTheKnownOnes) {
  const std::string message = parse_error("files=10");
  EXPECT_THAT(message, HasSubstr("unknown limit \"files\""));
  for (const auto& k : kKnown) EXPECT_THAT(message, HasSubstr(k.name));
  EXPECT_THAT(parse_error("NOFILE=10"), HasSubstr("unknown limit \"NOFILE\""));
  EXPECT_THAT(parse_error("=10"), HasSubstr("unknown limit \"\""));
}

TEST(DefaultRlimits, NoCoreDumpsAndABoundedFdTable) {
  const auto limits = default_rlimits();
  ASSERT_EQ(limits.size(), 2u);
  std::set<int> seen;
  for (const auto& l : limits) {
    EXPECT_TRUE(seen.insert(l.resource).second) << "one entry per resource";
    EXPECT_LE(l.soft, l.hard);
    if (l.resource == RLIMIT_CORE) {
      EXPECT_EQ(l.hard, 0u);
    } else {
      EXPECT_EQ(l.resource, RLIMIT_NOFILE);
      EXPECT_EQ(l.soft, 1024u);
      EXPECT_EQ(l.hard, 1024u);
    }
  }
  EXPECT_TRUE(seen.count(RLIMIT_CORE));
}

}  // namespace
}  // namespace sbx::rlimits
