// The small /etc the sandbox sees on the host rootfs: who the sandbox user is, how names
// resolve, and the host entries language runtimes need. Never the host's whole /etc.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "rootfs/host_view.h"

namespace sbx::rootfs {

struct GeneratedFile {
  std::string name;  // relative to /etc
  std::string contents;
};

// The names generated_etc_files returns, for code that needs only the names (a tree's /etc
// is checked for them before anything is generated).
inline constexpr std::array<std::string_view, 6> kGeneratedEtcNames{"passwd",   "group",       "hosts",
                                                                   "hostname", "resolv.conf", "nsswitch.conf"};

std::vector<GeneratedFile> generated_etc_files(const policy::Policy& policy, const HostView& host);

// What a tree built by `sbx rootfs build` has in place of the files mmdebstrap leaves from the
// build machine (its hostname and resolvers) or leaves out (hosts). At run time the generated
// files are bound over them, and a bind needs a file to cover.
std::vector<GeneratedFile> tree_etc_placeholders();

// Host /etc entries bound read-only (or re-created as symlinks) into the generated /etc when
// they exist: the dynamic linker cache, certificates, alternatives, time zone, runtime configs.
std::vector<std::string> host_etc_entries(const HostView& host);

}  // namespace sbx::rootfs
