// manifest.json: what a prebuilt tree is (recipe, packages, size, when, content hash), written
// beside the tree at build time and read back by list/show/verify and by `sbx exec`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx::rootfs {

struct PackageVersion {
  std::string name;
  std::string version;
  std::string architecture;
};

struct Manifest {
  static constexpr int kFormat = 1;

  std::string name;
  std::string recipe_sha256;
  std::string description;
  std::vector<std::string> commands;
  std::vector<std::string> default_command;
  std::string policy;
  std::vector<PackageVersion> packages;  // sorted by name
  uint64_t size_bytes = 0;               // sum of regular files' sizes
  uint64_t entries = 0;                  // files, directories, links...
  std::string built_at;                  // UTC, "2026-11-22T19:50:03Z"
  double build_seconds = 0;
  std::string build_mode;                // mmdebstrap --mode: root, unshare or fakechroot
  std::string suite;                     // "bookworm"
  std::vector<std::string> sources;      // the one-line apt sources the tree was built from
  std::string sbx_version;
  int builder_revision = 1;              // kBuilderRevision (builder.h) of the sbx that built it
  std::string content_hash;              // "sha256:<hex>" of the tree listing (tree_hash.h)
};

std::string manifest_to_json(const Manifest& m);  // pretty-printed, stable key order
Result<Manifest> manifest_from_json(std::string_view text);

// The installed packages in a dpkg status file (/var/lib/dpkg/status), sorted by name.
std::vector<PackageVersion> parse_dpkg_status(std::string_view text);

// "2026-11-22T19:50:03Z" for the current time.
std::string utc_timestamp_now();

}  // namespace sbx::rootfs
