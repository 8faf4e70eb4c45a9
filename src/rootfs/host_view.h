// Read-only questions the planner asks about the host file system. An interface so the
// planning step stays pure and unit-testable with a fake host.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sbx::rootfs {

enum class FileKind { kDirectory, kRegular, kSymlink, kOther };

class HostView {
 public:
  virtual ~HostView() = default;
  // lstat: what `path` itself is, without following a final symlink. nullopt when absent.
  virtual std::optional<FileKind> kind(const std::string& path) const = 0;
  virtual std::optional<std::string> read_link(const std::string& path) const = 0;
  virtual std::optional<std::string> read_file(const std::string& path) const = 0;
  // read_file, but nullopt when the file holds more than max_bytes.
  virtual std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes) const {
    auto contents = read_file(path);
    if (!contents || contents->size() > max_bytes) return std::nullopt;
    return contents;
  }
  // Permission bits (st_mode & 07777) of `path` itself; nullopt when absent or unknown.
  virtual std::optional<uint32_t> permissions(const std::string& path) const {
    (void)path;
    return std::nullopt;
  }
  // Entry names of a directory, sorted; empty when it cannot be read. Reading stops after
  // `limit` entries (then the result is not sorted over the whole directory).
  virtual std::vector<std::string> list_dir(const std::string& path, size_t limit = SIZE_MAX) const = 0;
  // list_dir, keeping only the names `keep` accepts.
  virtual std::vector<std::string> list_dir_matching(const std::string& path,
                                                     const std::function<bool(std::string_view)>& keep) const {
    std::vector<std::string> names = list_dir(path);
    std::erase_if(names, [&](const std::string& name) { return !keep(name); });
    return names;
  }
};

// The real host, through lstat/readlink/opendir. Planning asks about the same paths more than
// once, and listing a directory already tells each entry's kind, so answers are remembered for
// the life of the view (one sandbox start).
class RealHostView final : public HostView {
 public:
  std::optional<FileKind> kind(const std::string& path) const override;
  std::optional<std::string> read_link(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
  // Checks the size before reading, so a large file costs one fstat.
  std::optional<std::string> read_small_file(const std::string& path, size_t max_bytes) const override;
  std::optional<uint32_t> permissions(const std::string& path) const override;
  std::vector<std::string> list_dir(const std::string& path, size_t limit = SIZE_MAX) const override;
  // Filters while reading: the entries `keep` turns down cost no string, no remembered kind
  // and no place in the sort, which is most of listing a large directory such as /etc.
  std::vector<std::string> list_dir_matching(const std::string& path,
                                             const std::function<bool(std::string_view)>& keep) const override;

 private:
  struct Entry {
    std::optional<FileKind> kind;   // nullopt: absent
    std::optional<uint32_t> mode;   // nullopt: not looked up yet (or absent)
  };
  const Entry& look_up(const std::string& path, bool need_mode) const;
  std::vector<std::string> list(const std::string& path, size_t limit,
                                const std::function<bool(std::string_view)>* keep) const;

  mutable std::unordered_map<std::string, Entry> known_;
};

}  // namespace sbx::rootfs
