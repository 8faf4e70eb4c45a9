// A deterministic description of a directory tree and its SHA-256, so a prebuilt rootfs can be
// checked for tampering. The listing has one line per entry, in depth-first order with each
// directory's entries sorted bytewise:
//   PATH KIND MODE DATA
// PATH is absolute inside the tree ("/" for the top) with bytes <= 0x20, 0x7f and '\' escaped
// as \xHH; KIND is d (directory), f (regular file), l (symlink), c/b (devices), p (fifo), s
// (socket); MODE is the permission bits in octal (with setuid/setgid/sticky); DATA is the
// content's SHA-256 for files, the escaped link text for symlinks, MAJOR:MINOR for devices and
// "-" otherwise. Owners and times are left out: the same recipe built as root or as a user, or
// copied elsewhere, describes the same tree.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx::rootfs {

struct TreeListing {
  std::string text;         // the lines above, each ending in '\n'
  uint64_t entries = 0;     // lines
  uint64_t file_bytes = 0;  // sum of regular files' sizes
};

// Walks `root` without following symlinks. `interrupted` is polled between directories; when it
// returns true the walk stops with an error.
Result<TreeListing> list_tree(const std::string& root, const std::function<bool()>& interrupted = {});

// "sha256:" + hex digest of the listing text: the tree's content hash.
std::string listing_hash(std::string_view listing_text);

struct TreeDifference {
  std::string path;  // unescaped path inside the tree
  std::string what;  // "contents changed", "missing", "added", "mode 0755 -> 0777", ...
};

// The first entry, in listing order, where `actual` differs from `expected`; nullopt when equal.
std::optional<TreeDifference> first_difference(std::string_view expected, std::string_view actual);

// Escaping used in listings, exposed for tests.
std::string escape_listing_field(std::string_view raw);
std::string unescape_listing_field(std::string_view escaped);

}  // namespace sbx::rootfs
