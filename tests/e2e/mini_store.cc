#include "mini_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rootfs/manifest.h"
#include "rootfs/store.h"
#include "rootfs/tree_hash.h"
#include "sbx_runner.h"

namespace sbx::e2e {

MiniStore::MiniStore(const MiniTree& tree) : name_(tree.name) {
  const std::string root = this->root();
  ::mkdir(rootfs::tree_dir(dir_.path(), name_).c_str(), 0755);
  for (const char* dir : {"", "/etc", "/usr", "/usr/bin"}) ::mkdir((root + dir).c_str(), 0755);
  std::ofstream(root + "/etc/os-release") << "ID=" << name_ << "\n";
  // What mmdebstrap leaves from the machine a tree was built on; no nsswitch.conf.
  std::ofstream(root + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\nbuilder:x:1000:1000::/home/b:/bin/sh\n";
  std::ofstream(root + "/etc/group") << "root:x:0:\n";
  std::ofstream(root + "/etc/hosts") << "127.0.0.1\tlocalhost\n";
  std::ofstream(root + "/etc/hostname") << "buildhost\n";
  std::ofstream(root + "/etc/resolv.conf") << "nameserver 10.9.9.9\n";
  std::ofstream(root + "/usr/bin/tool") << "#!/bin/sh\n";
  ::chmod((root + "/usr/bin/tool").c_str(), 0755);
  if (!tree.probe_as.empty()) {
    std::error_code error;
    std::filesystem::copy_file(probe_binary(), root + "/usr/bin/" + tree.probe_as, error);
    EXPECT_FALSE(error) << error.message();
    ::chmod((root + "/usr/bin/" + tree.probe_as).c_str(), 0755);
  }
  auto listing = rootfs::list_tree(root);
  EXPECT_TRUE(listing.has_value());
  if (!listing) return;
  rootfs::Manifest m;
  m.name = name_;
  m.description = "a tiny test tree";
  m.commands = tree.commands;
  m.default_command = {"/usr/bin/tool"};
  m.policy = "default";
  m.packages = {{"base-files", "12.4", "amd64"}};
  m.size_bytes = listing->file_bytes;
  m.entries = listing->entries;
  m.content_hash = rootfs::listing_hash(listing->text);
  std::ofstream(rootfs::listing_path(dir_.path(), name_)) << listing->text;
  std::ofstream(rootfs::manifest_path(dir_.path(), name_)) << rootfs::manifest_to_json(m);
}

std::string MiniStore::root() const { return rootfs::tree_root(dir_.path(), name_); }

}  // namespace sbx::e2e
