// The service configuration: strict parsing with messages naming the key, and caller matching.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serve/serve_config.h"

namespace sbx::serve {
namespace {

using ::testing::HasSubstr;

TEST(ServeConfigTest, ParsesAFullConfiguration) {
  auto c = parse_serve_config(R"(
max_concurrency: 8
queue: 16
drain_timeout: 10s
max_message: 1m
languages: [python, bash]
rootfs:
  debian: /srv/sbx/debian
defaults:
  max_concurrency: 2
  max_timeout: 1m
  max_memory: 512m
  policies: [default]
allow:
  - uid: 1234
    max_concurrency: 6
    rootfs: [debian]
    host_network: true
  - gid: 4321
)",
                              "serve.yaml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->admission.max_running, 8u);
  EXPECT_EQ(c->admission.max_queued, 16u);
  EXPECT_EQ(c->drain_timeout, std::chrono::seconds(10));
  EXPECT_EQ(c->max_message, 1u << 20);
  ASSERT_EQ(c->allow.size(), 2u);
  const AllowRule* by_uid = match_caller(*c, 1234, 100, {});
  ASSERT_NE(by_uid, nullptr);
  EXPECT_EQ(by_uid->limits.max_concurrency, 6u);
  EXPECT_EQ(by_uid->limits.max_timeout, std::chrono::minutes(1));
  EXPECT_TRUE(by_uid->limits.allow_host_network);
  EXPECT_EQ(by_uid->limits.rootfs->at("debian"), "/srv/sbx/debian");
  const AllowRule* by_group = match_caller(*c, 5, 5, {7, 4321});
  ASSERT_NE(by_group, nullptr);
  EXPECT_EQ(by_group->limits.max_concurrency, 2u);
  EXPECT_FALSE(by_group->limits.allow_host_network);
  EXPECT_EQ(match_caller(*c, 5, 5, {7}), nullptr);
}

TEST(ServeConfigTest, MistakesAreErrorsNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "nobody would be allowed"},
      {"allow: []", "allow: expected a list"},
      {"max_concurency: 3\nallow: [{uid: 1}]", "max_concurency: unknown key"},
      {"queue: lots\nallow: [{uid: 1}]", "queue: expected a whole number"},
      {"allow: [{uid: 1, max_memory: 1k}]", "allow[0].max_memory: must be at least 1m"},
      {"allow: [{uid: 1, gid: 2}]", "allow[0]: name exactly one"},
      {"allow: [{max_timeout: 5s}]", "allow[0]: name exactly one"},
      {"allow: [{user: no-such-user-here}]", "allow[0].user: no such user"},
      {"allow: [{uid: 1, rootfs: [debian]}]", "allow[0].rootfs: \"debian\" is not defined"},
      {"defaults: {max_timeout: never}\nallow: [{uid: 1}]", "defaults.max_timeout: expected a duration"},
      {"defaults: {colour: red}\nallow: [{uid: 1}]", "defaults.colour: unknown key"},
      {"allow: [{uid: 1}]\nallow: [", "serve.yaml:"},
      {"allow: [{uid: 1}]\n---\nallow: [{uid: 2}]\n", "serve.yaml:3: a file holds one YAML document"},
      {",\nallow: [{uid: 1}]\n", "serve.yaml:1: unexpected character"},
  };
  for (const auto& [yaml, says] : cases) {
    auto c = parse_serve_config(yaml, "serve.yaml");
    ASSERT_FALSE(c) << yaml;
    EXPECT_THAT(c.error().message, HasSubstr(says)) << yaml;
    EXPECT_THAT(c.error().message, HasSubstr("serve.yaml")) << yaml;
  }
}

TEST(ServeConfigTest, WithoutAFileOnlyTheServicesOwnUser) {
  const ServeConfig c = default_serve_config(4242);
  EXPECT_NE(match_caller(c, 4242, 1, {}), nullptr);
  EXPECT_EQ(match_caller(c, 0, 0, {}), nullptr);
  EXPECT_EQ(match_caller(c, 1000, 1000, {0}), nullptr);
}

}  // namespace
}  // namespace sbx::serve
