// A rootfs store holding one tiny tree, installed the way `sbx rootfs build` installs one, for
// tests of the commands and runs that use trees without building a real one.
#pragma once

#include <string>
#include <vector>

#include "host.h"

namespace sbx::e2e {

struct MiniTree {
  std::string name = "mini";
  std::vector<std::string> commands = {"minitool"};
  // When set, the static probe is installed as /usr/bin/<probe_as>: the tree has no shell, and a
  // program to run in it must need nothing from it.
  std::string probe_as;
};

class MiniStore {
 public:
  explicit MiniStore(const MiniTree& tree = {});
  const std::string& path() const { return dir_.path(); }
  // The tree's root directory, "<store>/<name>/root".
  std::string root() const;

 private:
  TempDir dir_;
  std::string name_;
};

}  // namespace sbx::e2e
