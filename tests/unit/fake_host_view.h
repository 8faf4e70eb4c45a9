// An in-memory rootfs::HostView for planning tests: deterministic, and it records every file
// the planner reads so tests can prove which host files were (never) looked at.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rootfs/host_view.h"

namespace sbx::fakes {

class FakeHostView final : public rootfs::HostView {
 public:
  FakeHostView& dir(const std::string& path) {
    add(path, rootfs::FileKind::kDirectory);
    return *this;
  }
  FakeHostView& file(const std::string& path, std::string contents) {
    add(path, rootfs::FileKind::kRegular);
    contents_[path] = std::move(contents);
    return *this;
  }
  FakeHostView& symlink(const std::string& path, std::string link_text) {
    add(path, rootfs::FileKind::kSymlink);
    links_[path] = std::move(link_text);
    return *this;
  }
  FakeHostView& other(const std::string& path) {  // a socket or device node
    add(path, rootfs::FileKind::kOther);
    return *this;
  }
  FakeHostView& mode(const std::string& path, uint32_t permissions) {
    modes_[path] = permissions;
    return *this;
  }

  // A merged-/usr Debian host with the usual /etc, plus things the sandbox must never see.
  static FakeHostView debian() {
    FakeHostView h;
    h.dir("/usr").symlink("/bin", "usr/bin").symlink("/sbin", "usr/sbin").symlink("/lib", "usr/lib");
    h.symlink("/lib64", "usr/lib64").symlink("/lib32", "usr/lib32");
    h.dir("/home").dir("/home/alice").dir("/root").dir("/var").dir("/run").dir("/srv");
    h.dir("/etc");
    h.file("/etc/shadow", "root:$6$SECRETHASH:19000:0:99999:7:::\n");
    h.file("/etc/gshadow", "root:*::\n");
    h.file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n");
    h.file("/etc/group", "root:x:0:\nalice:x:1000:\n");
    h.file("/etc/sudoers", "root ALL=(ALL:ALL) ALL\n");
    h.dir("/etc/ssh");
    h.file("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    h.file("/etc/resolv.conf", "nameserver 192.0.2.53\n");
    h.file("/etc/hosts", "127.0.0.1 localhost\n192.0.2.10 db.internal");
    h.file("/etc/ld.so.cache", std::string(2048, 'c'));
    h.dir("/etc/ssl").dir("/etc/ca-certificates").dir("/etc/python3.11").dir("/etc/java-17-openjdk");
    h.symlink("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
    h.file("/etc/os-release", "ID=debian\n");
    h.file("/etc/magic", std::string(200 * 1024, 'm'));  // above the copy limit: bound instead
    h.other("/etc/initctl");                            // a fifo: never mirrored
    // Kernel files as a common kernel shows them; sched_debug and latency_stats are absent.
    h.dir("/proc");
    h.file("/proc/kcore", "").mode("/proc/kcore", 0400);
    h.file("/proc/keys", "").mode("/proc/keys", 0444);
    h.file("/proc/timer_list", "").mode("/proc/timer_list", 0444);
    h.file("/proc/sysrq-trigger", "").mode("/proc/sysrq-trigger", 0200);
    return h;
  }

  std::optional<rootfs::FileKind> kind(const std::string& path) const override {
    auto it = kinds_.find(path);
    if (it == kinds_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<uint32_t> permissions(const std::string& path) const override {
    auto it = modes_.find(path);
    if (it == modes_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> read_link(const std::string& path) const override {
    auto it = links_.find(path);
    if (it == links_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> read_file(const std::string& path) const override {
    reads_.push_back(path);
    auto it = contents_.find(path);
    if (it == contents_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> list_dir(const std::string& path, size_t limit = SIZE_MAX) const override {
    std::vector<std::string> names;
    const std::string prefix = path == "/" ? "/" : path + "/";
    for (const auto& [p, k] : kinds_) {
      if (p.size() <= prefix.size() || p.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string rest = p.substr(prefix.size());
      if (rest.find('/') == std::string::npos && names.size() < limit) names.push_back(rest);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  const std::vector<std::string>& reads() const { return reads_; }

 private:
  void add(const std::string& path, rootfs::FileKind kind) { kinds_[path] = kind; }

  std::map<std::string, rootfs::FileKind> kinds_;
  std::map<std::string, std::string> contents_;
  std::map<std::string, std::string> links_;
  std::map<std::string, uint32_t> modes_;
  mutable std::vector<std::string> reads_;
};

}  // namespace sbx::fakes
