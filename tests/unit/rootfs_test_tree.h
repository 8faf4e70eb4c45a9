// A scratch directory tree for rootfs unit tests, removed when the test ends.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/remove_tree.h"
#include "rootfs/fs_util.h"
#include "rootfs/manifest.h"

namespace sbx::rootfs::testing {

class ScratchTree {
 public:
  ScratchTree() {
    char tmpl[] = "/tmp/sbx-rootfs-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ScratchTree() { (void)remove_tree(path_); }
  ScratchTree(const ScratchTree&) = delete;
  ScratchTree& operator=(const ScratchTree&) = delete;

  const std::string& path() const { return path_; }
  std::string at(const std::string& rel) const { return path_ + rel; }

  void dir(const std::string& rel, mode_t mode = 0755) const {
    ::mkdir(at(rel).c_str(), mode);
    ::chmod(at(rel).c_str(), mode);
  }
  void file(const std::string& rel, const std::string& contents, mode_t mode = 0644) const {
    std::ofstream(at(rel), std::ios::binary | std::ios::trunc) << contents;
    ::chmod(at(rel).c_str(), mode);
  }
  void link(const std::string& rel, const std::string& target) const { (void)::symlink(target.c_str(), at(rel).c_str()); }
  bool exists(const std::string& rel) const {
    struct stat st {};
    return ::lstat(at(rel).c_str(), &st) == 0;
  }

  // An entry as `sbx rootfs build` installs one, when this is a store: NAME/manifest.json and an
  // empty NAME/root.
  void install_tree(const std::string& name, std::vector<std::string> commands,
                    const std::string& description = "") const {
    dir("/" + name);
    dir("/" + name + "/root");
    Manifest m;
    m.name = name;
    m.description = description;
    m.commands = std::move(commands);
    m.policy = name;
    file("/" + name + "/manifest.json", manifest_to_json(m));
  }

  // A small tree shaped like a root filesystem.
  void populate_rootfs() const {
    dir("/usr");
    dir("/usr/bin");
    dir("/usr/share");
    dir("/usr/share/doc");
    dir("/usr/share/doc/bash");
    file("/usr/share/doc/bash/copyright", "GPL");
    file("/usr/share/doc/bash/README", "readme");
    dir("/etc");
    file("/etc/os-release", "ID=debian\n");
    file("/usr/bin/tool", "#!/bin/sh\necho tool\n", 0755);
    link("/bin", "usr/bin");
    dir("/tmp", 01777);
  }

 private:
  std::string path_;
};

}  // namespace sbx::rootfs::testing
