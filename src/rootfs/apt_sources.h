// Which Debian archive a tree is built from: the one this host's apt already uses, read from
// /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}. Only Debian's own archives
// are taken (a third-party repository is neither needed nor trusted for a language tree).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::rootfs {

struct AptSource {
  std::string uri;
  std::vector<std::string> suites;
  std::vector<std::string> components;
};

// One-line format: "deb [options] URI SUITE COMPONENT...". deb-src and comments are skipped.
std::vector<AptSource> parse_one_line_sources(std::string_view text);

// deb822 format (.sources): stanzas with Types, URIs, Suites, Components, Enabled.
std::vector<AptSource> parse_deb822_sources(std::string_view text);

// A Debian archive: a host under debian.org, or a path with a "debian" or "debian-security"
// component (mirrors and snapshots).
bool is_debian_archive(std::string_view uri);

// The host's enabled Debian sources, in apt's reading order.
std::vector<AptSource> host_debian_sources(const std::string& etc_apt = "/etc/apt");

// "deb URI SUITE COMPONENT..." lines, one per suite, as mmdebstrap takes them.
std::vector<std::string> source_lines(const std::vector<AptSource>& sources);

// The release the tree is built for: the first suite without a '-' ("bookworm", not
// "bookworm-updates"), else the first suite.
std::optional<std::string> base_suite(const std::vector<AptSource>& sources);

}  // namespace sbx::rootfs
