#include "rootfs/tree_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/directory_entries.h"
#include "base/sha256.h"
#include "base/unique_fd.h"

namespace sbx::rootfs {
namespace {

char kind_letter(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'd';
    case S_IFREG: return 'f';
    case S_IFLNK: return 'l';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    case S_IFIFO: return 'p';
    default: return 's';
  }
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<std::string> hash_file(int dir_fd, const char* name, const std::string& path) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return errno_error("cannot open " + path);
  Sha256 h;
  std::vector<char> buf(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read " + path);
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  return h.finish_hex();
}

Result<std::string> read_link_at(int dir_fd, const char* name, const std::string& path) {
  std::string target(256, '\0');
  for (;;) {
    const ssize_t n = ::readlinkat(dir_fd, name, target.data(), target.size());
    if (n < 0) return errno_error("cannot read the symlink " + path);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

class Walker {
 public:
  Walker(TreeListing& out, const std::function<bool()>& interrupted) : out_(out), interrupted_(interrupted) {}

  // `fd` is an open directory; `path` its escaped path ("" for the top, which is written "/").
  Status walk_dir(UniqueFd fd, const std::string& path) {
    if (interrupted_ && interrupted_()) return make_error("interrupted");
    auto listed = directory_entries(fd.get(), display(path));
    if (!listed) return Error{listed.error().sys_errno, "cannot " + listed.error().message};
    std::vector<std::string> names = std::move(listed).value();
    // Sorted by escaped name, so listing order and the diff's comparison agree.
    std::vector<std::pair<std::string, std::string>> sorted;  // escaped, raw
    sorted.reserve(names.size());
    for (auto& n : names) sorted.emplace_back(escape_listing_field(n), std::move(n));
    std::sort(sorted.begin(), sorted.end());
    Status status;
    for (const auto& [escaped, raw] : sorted) {
      status = visit(fd.get(), raw, path + "/" + escaped);
      if (!status) break;
    }
    return status;
  }

  void add_line(const std::string& path, mode_t mode, const std::string& data) {
    out_.text += path.empty() ? "/" : path;
    out_.text += ' ';
    out_.text += kind_letter(mode);
    out_.text += ' ';
    out_.text += octal_mode(mode);
    out_.text += ' ';
    out_.text += data;
    out_.text += '\n';
    ++out_.entries;
  }

 private:
  static std::string display(const std::string& path) {
    return path.empty() ? "/" : unescape_listing_field(path);
  }

  Status visit(int dir_fd, const std::string& raw, const std::string& path) {
    struct stat st {};
    if (::fstatat(dir_fd, raw.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return errno_error("cannot stat " + display(path));
    }
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR: {
        add_line(path, st.st_mode, "-");
        UniqueFd sub(::openat(dir_fd, raw.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.valid()) return errno_error("cannot open " + display(path));
        return walk_dir(std::move(sub), path);
      }
      case S_IFREG: {
        SBX_ASSIGN_OR_RETURN(std::string digest, hash_file(dir_fd, raw.c_str(), display(path)));
        add_line(path, st.st_mode, digest);
        out_.file_bytes += static_cast<uint64_t>(st.st_size);
        return {};
      }
      case S_IFLNK: {
        SBX_ASSIGN_OR_RETURN(std::string target, read_link_at(dir_fd, raw.c_str(), display(path)));
        add_line(path, st.st_mode, escape_listing_field(target));
        return {};
      }
      case S_IFCHR:
      case S_IFBLK:
        add_line(path, st.st_mode, std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
        return {};
      default:
        add_line(path, st.st_mode, "-");
        return {};
    }
  }

  TreeListing& out_;
  const std::function<bool()>& interrupted_;
};

struct Line {
  std::string_view path, kind, mode, data;
};

Line split_line(std::string_view line) {
  Line l;
  size_t a = line.find(' ');
  size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  size_t c = b == std::string_view::npos ? b : line.find(' ', b + 1);
  l.path = line.substr(0, a);
  if (c == std::string_view::npos) return l;
  l.kind = line.substr(a + 1, b - a - 1);
  l.mode = line.substr(b + 1, c - b - 1);
  l.data = line.substr(c + 1);
  return l;
}

// Component-wise comparison: the order a depth-first walk with sorted entries produces.
int compare_paths(std::string_view a, std::string_view b) {
  if (a == "/") return b == "/" ? 0 : -1;
  if (b == "/") return 1;
  size_t i = 1, j = 1;
  for (;;) {
    const bool a_end = i > a.size(), b_end = j > b.size();
    if (a_end || b_end) return a_end == b_end ? 0 : (a_end ? -1 : 1);
    size_t ai = a.find('/', i), bj = b.find('/', j);
    if (ai == std::string_view::npos) ai = a.size();
    if (bj == std::string_view::npos) bj = b.size();
    const int c = a.substr(i, ai - i).compare(b.substr(j, bj - j));
    if (c != 0) return c < 0 ? -1 : 1;
    i = ai + 1;
    j = bj + 1;
  }
}

class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  std::optional<std::string_view> peek() const {
    if (pos_ >= text_.size()) return std::nullopt;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    return text_.substr(pos_, end - pos_);
  }
  void next() {
    const size_t end = text_.find('\n', pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::string describe_change(const Line& want, const Line& got) {
  if (want.kind != got.kind) {
    return "type changed (" + std::string(want.kind) + " -> " + std::string(got.kind) + ")";
  }
  if (want.data != got.data) {
    if (want.kind == "f") return "contents changed";
    if (want.kind == "l") {
      return "symlink target changed (" + unescape_listing_field(want.data) + " -> " +
             unescape_listing_field(got.data) + ")";
    }
    return "device changed";
  }
  return "mode changed (" + std::string(want.mode) + " -> " + std::string(got.mode) + ")";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string escape_listing_field(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size());
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || c == '\\') {
      out += "\\x";
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string unescape_listing_field(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    const int hi = i + 3 < escaped.size() ? hex_value(escaped[i + 2]) : -1;
    const int lo = i + 3 < escaped.size() ? hex_value(escaped[i + 3]) : -1;
    if (hi >= 0 && lo >= 0 && escaped[i] == '\\' && escaped[i + 1] == 'x') {
      out += static_cast<char>(hi * 16 + lo);
      i += 3;
    } else {
      out += escaped[i];
    }
  }
  return out;
}

Result<TreeListing> list_tree(const std::string& root, const std::function<bool()>& interrupted) {
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("cannot open " + root);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("cannot stat " + root);
  TreeListing listing;
  Walker walker(listing, interrupted);
  walker.add_line("", st.st_mode, "-");
  SBX_RETURN_IF_ERROR(walker.walk_dir(std::move(fd), ""));
  return listing;
}

std::string listing_hash(std::string_view listing_text) { return "sha256:" + sha256_hex(listing_text); }

std::optional<TreeDifference> first_difference(std::string_view expected, std::string_view actual) {
  LineReader want(expected), got(actual);
  for (;;) {
    const auto w = want.peek();
    const auto g = got.peek();
    if (!w && !g) return std::nullopt;
    if (w && g && *w == *g) {
      want.next();
      got.next();
      continue;
    }
    const Line wl = w ? split_line(*w) : Line{};
    const Line gl = g ? split_line(*g) : Line{};
    const int order = !w ? 1 : !g ? -1 : compare_paths(wl.path, gl.path);
    if (order < 0) return TreeDifference{unescape_listing_field(wl.path), "missing"};
    if (order > 0) return TreeDifference{unescape_listing_field(gl.path), "added"};
    return TreeDifference{unescape_listing_field(wl.path), describe_change(wl, gl)};
  }
}

}  // namespace sbx::rootfs
