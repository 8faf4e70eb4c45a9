// `sbx rootfs build`: recipe -> mmdebstrap -> trimmed tree -> manifest -> atomic install.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "rootfs/manifest.h"
#include "rootfs/recipe.h"
#include "rootfs/trim.h"

namespace sbx::rootfs {

// mmdebstrap --mode. root needs root; unshare needs subordinate ids (/etc/subuid) for an
// ordinary user and newuidmap; fakechroot needs the fakechroot and fakeroot packages.
enum class BuildMode { kAuto, kRoot, kUnshare, kFakechroot };

Result<BuildMode> parse_build_mode(std::string_view text);
const char* build_mode_name(BuildMode mode);

struct HostAbilities {
  uid_t euid = 0;
  bool has_subordinate_ids = false;  // an /etc/subuid and /etc/subgid range for this user
  bool has_newuidmap = false;
  bool has_fakechroot = false;       // fakechroot and fakeroot in PATH
};

HostAbilities probe_host_abilities();

// kAuto: root -> kRoot; a user -> kUnshare when possible, else kFakechroot. An explicit mode
// the host cannot do is an error that says what to install or configure.
Result<BuildMode> choose_build_mode(BuildMode requested, const HostAbilities& host);

// True when `text` (an /etc/subuid-style file) has a range for `user` or `uid`.
bool has_subordinate_range(std::string_view text, std::string_view user, uid_t uid);

// Raised whenever the builder changes what a recipe produces (mmdebstrap options, trimming), so
// `sbx rootfs build --if-changed` rebuilds trees an older builder made. 2: no Recommends.
// 3: /etc/hosts, hostname and resolv.conf are sbx's placeholders, not the build machine's.
inline constexpr int kBuilderRevision = 3;

struct BuildOptions {
  std::string store;
  Recipe recipe;
  BuildMode mode = BuildMode::kAuto;
  std::vector<std::string> sources;  // "deb URI SUITE COMPONENT..."; empty: the host's Debian ones
  std::string suite;                 // empty: from the sources
  bool terminal = false;             // redraw one progress line instead of printing lines
  std::FILE* progress = stderr;
  std::string sbx_version;
};

struct BuildOutcome {
  Manifest manifest;
  std::string dir;  // STORE/NAME
  TrimStats trimmed;
  bool replaced = false;  // an older tree of that name was replaced
  std::vector<std::string> stale_removed;
  std::string cleanup_warning;  // non-empty when the replaced tree could not be deleted
};

// Errors from an interrupted build have sys_errno EINTR and name the signal; in every failure
// nothing is left in the store (the build directory is removed).
Result<BuildOutcome> build_tree(const BuildOptions& options);

// mmdebstrap's argument list; exposed for tests.
std::vector<std::string> mmdebstrap_argv(const Recipe& recipe, BuildMode mode, const std::string& suite,
                                         const std::string& target, const std::vector<std::string>& sources);

}  // namespace sbx::rootfs
