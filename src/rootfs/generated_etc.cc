#include "rootfs/generated_etc.h"

#include <array>
#include <string_view>

namespace sbx::rootfs {
namespace {

// ld.so.conf.d is left out: only ldconfig reads it, and the loader needs just ld.so.cache.
constexpr std::array<std::string_view, 26> kHostEtcEntries{
    "alternatives", "bash.bashrc",     "ca-certificates", "ca-certificates.conf", "crypto-policies",
    "debian_version", "fonts",         "gai.conf",        "gitconfig",            "inputrc",
    "ld.so.cache",  "ld.so.conf",      "localtime",       "lsb-release",
    "magic",        "magic.mime",      "mime.types",      "os-release",           "pki",
    "protocols",    "rpc",             "services",        "ssl",                  "timezone",
    "perl",         "R",
};

// The host's /etc/hosts is copied into every run with the host's network: a block list of
// megabytes would cost every run its copy.
constexpr size_t kMaxHostHostsBytes = 256 * 1024;

// Runtimes that keep configuration in versioned directories (/etc/python3.11, /etc/java-17-openjdk).
constexpr std::array<std::string_view, 3> kHostEtcPrefixes{"python3", "java-", "node"};

bool has_prefix(std::string_view name, std::string_view prefix) {
  return name.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::vector<GeneratedFile> generated_etc_files(const policy::Policy& p, const HostView& host) {
  const std::string uid = std::to_string(p.uid);
  const std::string gid = std::to_string(p.gid);
  std::string passwd = "root:x:0:0:root:/root:/bin/sh\n";
  std::string group = "root:x:0:\n";
  // --uid 0 and --uid 65534 are root and nobody themselves; one name per id.
  if (p.uid != 0 && p.uid != 65534) {
    passwd += p.user_name + ":x:" + uid + ":" + gid + ":sbx sandbox user:/tmp:/bin/sh\n";
  }
  // The user's group is named after the user, unless root or nogroup has that name already:
  // `--uid 0 --gid 1000` leaves gid 1000 unnamed (as with `docker run --user 0:1000`) rather
  // than a second "root".
  const bool name_taken = p.user_name == "root" || p.user_name == "nogroup";
  if (p.gid != 0 && p.gid != 65534 && !name_taken) group += p.user_name + ":x:" + gid + ":\n";
  passwd += "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
  group += "nogroup:x:65534:\n";

  const std::string own_name = "127.0.1.1\t" + p.hostname + "\n";
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" + own_name;
  std::string resolv = "# sbx: no network in this sandbox\n";
  if (p.network == policy::NetworkMode::kHost) {
    resolv = host.read_file("/etc/resolv.conf").value_or("");
    // The host's names resolve as on the host (docker run --network host does the same), and
    // the sandbox's own hostname too. A hosts file of block-list size is not copied.
    if (auto host_hosts = host.read_small_file("/etc/hosts", kMaxHostHostsBytes)) {
      hosts = std::move(*host_hosts);
      if (!hosts.empty() && hosts.back() != '\n') hosts += '\n';
      hosts += own_name;
    }
  }
  const std::string nsswitch =
      "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n"
      "protocols: files\nservices: files\nethers: files\nrpc: files\n";

  return {
      {"passwd", passwd},       {"group", group},   {"hosts", hosts}, {"hostname", p.hostname + "\n"},
      {"resolv.conf", resolv}, {"nsswitch.conf", nsswitch},
  };
}

std::vector<GeneratedFile> tree_etc_placeholders() {
  return {
      {"hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
      {"hostname", "localhost\n"},
      {"resolv.conf", "# sbx places the sandbox's resolver configuration over this file.\n"},
  };
}

std::vector<std::string> host_etc_entries(const HostView& host) {
  return host.list_dir_matching("/etc", [](std::string_view name) {
    bool wanted = false;
    for (auto entry : kHostEtcEntries) wanted = wanted || name == entry;
    for (auto prefix : kHostEtcPrefixes) wanted = wanted || has_prefix(name, prefix);
    return wanted;
  });
}

}  // namespace sbx::rootfs
