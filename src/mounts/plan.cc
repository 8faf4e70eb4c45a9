#include "mounts/plan.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <string_view>

#include "rootfs/generated_etc.h"

namespace sbx::mounts {
namespace {

using launch::MountOpKind;
using rootfs::FileKind;

// The host directories the host rootfs shows, read-only. On merged-/usr systems most are symlinks
// into /usr and are re-created as the same symlinks.
constexpr std::array<std::string_view, 7> kHostSystemDirs{"usr", "bin", "sbin", "lib", "lib32", "lib64",
                                                          "libx32"};

// Entries of a prebuilt tree that sbx provides itself.
constexpr std::array<std::string_view, 6> kManagedTopLevel{"proc", "dev", "sys", "tmp", "run", "workspace"};

constexpr std::array<std::string_view, 6> kMaskedProcFiles{
    "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats",
    "/proc/sysrq-trigger"};
// Only /proc/sys gets an extra read-only mount. Writes anywhere under /proc are already refused
// three ways: Landlock grants no write right there, the files belong to the host's root (unmapped
// in the sandbox, so even --uid 0 is not their owner), and no capability survives. /proc/sys holds
// the few entries owned by the sandbox's own namespaces, writable by --uid 0; read-only, they
// cannot be changed at all. Each extra mount costs start-up and tear-down time on every run.
constexpr std::array<std::string_view, 1> kReadOnlyProcDirs{"/proc/sys"};
constexpr std::array<std::string_view, 6> kDevices{"null", "zero", "full", "random", "urandom", "tty"};

MountStep make_step(MountOpKind kind, std::string source, std::string target, std::string data = "") {
  MountStep s;
  s.kind = kind;
  s.source = std::move(source);
  s.target = std::move(target);
  s.data = std::move(data);
  return s;
}

class Builder {
 public:
  void bind(std::string source, std::string target, bool read_only, bool is_dir, bool untrusted) {
    MountStep s = make_step(MountOpKind::kBind, std::move(source), std::move(target));
    s.read_only = read_only;
    s.target_is_dir = is_dir;
    s.source_untrusted = untrusted;
    plan_.steps.push_back(std::move(s));
  }
  void device(const std::string& name) {
    MountStep s = make_step(MountOpKind::kBind, "/dev/" + name, "/dev/" + name);
    s.target_is_dir = false;
    s.allow_devices = true;
    plan_.steps.push_back(std::move(s));
  }
  void tmpfs(std::string target, std::string options, bool read_only) {
    MountStep s = make_step(MountOpKind::kTmpfs, "", std::move(target), std::move(options));
    s.read_only = read_only;
    plan_.steps.push_back(std::move(s));
  }
  void simple(MountOpKind kind, std::string target, bool optional = false) {
    MountStep s = make_step(kind, "", std::move(target));
    s.optional = optional;
    s.target_is_dir = kind != MountOpKind::kMaskWithNull;
    plan_.steps.push_back(std::move(s));
  }
  void symlink(std::string link_text, std::string target) {
    MountStep s = make_step(MountOpKind::kSymlink, std::move(link_text), std::move(target));
    s.target_is_dir = false;
    plan_.steps.push_back(std::move(s));
  }
  void write_file(std::string target, std::string contents) {
    MountStep s = make_step(MountOpKind::kWriteFile, "", std::move(target), std::move(contents));
    s.mode = 0644;
    s.target_is_dir = false;
    plan_.steps.push_back(std::move(s));
  }
  void bind_from_root(std::string source, std::string target) {
    MountStep s = make_step(MountOpKind::kBindFromRoot, std::move(source), std::move(target));
    s.read_only = true;
    s.target_is_dir = false;
    plan_.steps.push_back(std::move(s));
  }
  void note(std::string text) { plan_.notes.push_back(std::move(text)); }
  void landlock(std::string path, PathAccess access) {
    plan_.landlock_paths.push_back({std::move(path), access});
  }
  MountPlan take() { return std::move(plan_); }

 private:
  MountPlan plan_;
};

// Re-creates a host entry in the sandbox: a symlink stays the same symlink, a directory or file is
// bound read-only. Anything else (sockets, devices) is left out.
void mirror_host_entry(Builder& b, const rootfs::HostView& host, const std::string& host_path,
                       const std::string& target, bool untrusted) {
  const auto kind = host.kind(host_path);
  if (!kind) return;
  switch (*kind) {
    case FileKind::kSymlink:
      if (auto link = host.read_link(host_path)) b.symlink(*link, target);
      break;
    case FileKind::kDirectory:
      b.bind(host_path, target, /*read_only=*/true, /*is_dir=*/true, untrusted);
      break;
    case FileKind::kRegular:
      b.bind(host_path, target, /*read_only=*/true, /*is_dir=*/false, untrusted);
      break;
    case FileKind::kOther:
      break;
  }
}

// Small /etc files are copied into the generated /etc instead of bound: a file write costs a
// fraction of a bind mount, and the copy is read-only like the rest of /etc. Directories (the
// certificate store, alternatives) stay bind mounts.
constexpr size_t kCopyMaxFileBytes = 16 * 1024;

void copy_host_entry(Builder& b, const rootfs::HostView& host, const std::string& host_path,
                     const std::string& target) {
  if (host.kind(host_path) == FileKind::kRegular) {
    auto contents = host.read_small_file(host_path, kCopyMaxFileBytes);
    if (contents) {
      b.write_file(target, std::move(*contents));
      return;
    }
  }
  mirror_host_entry(b, host, host_path, target, /*untrusted=*/false);
}

void plan_host_root(Builder& b, const rootfs::HostView& host) {
  for (auto dir : kHostSystemDirs) {
    mirror_host_entry(b, host, "/" + std::string(dir), "/" + std::string(dir), /*untrusted=*/false);
  }
  for (const auto& name : rootfs::host_etc_entries(host)) {
    copy_host_entry(b, host, "/etc/" + name, "/etc/" + name);
  }
}

// The generated /etc lives in the root tmpfs itself, which ends up read-only: a tmpfs of its own
// would cost a mount, a read-only remount and an unmount on every run.
void plan_generated_etc(Builder& b, const policy::Policy& p, const rootfs::HostView& host) {
  for (const auto& file : rootfs::generated_etc_files(p, host)) {
    b.write_file("/etc/" + file.name, file.contents);
  }
}

// A language tree keeps its own /etc, one bind of the tree's directory, but the sandbox's
// identity, names and resolvers are the same whatever the root: the generated files are written
// where the /tmp tmpfs will cover them and bound over the tree's copies of them (which the
// builder makes sure exist, rootfs::tree_etc_placeholders). Binding the tree's other /etc entries
// one by one into a generated /etc would cost a mount each.
constexpr const char* kTreeEtcStaging = "/tmp/etc/";

void stage_tree_etc(Builder& b, const policy::Policy& p, const rootfs::HostView& host) {
  for (const auto& file : rootfs::generated_etc_files(p, host)) {
    b.write_file(kTreeEtcStaging + file.name, file.contents);
  }
}

void place_tree_etc(Builder& b, const policy::Policy& p, const rootfs::HostView& host) {
  if (host.kind(p.rootfs + "/etc") != FileKind::kDirectory) {
    b.note("the tree has no /etc directory: the sandbox gets no passwd, group, hosts or resolv.conf");
    return;
  }
  std::string missing;
  for (std::string_view name : rootfs::kGeneratedEtcNames) {
    const std::string path = "/etc/" + std::string(name);
    if (host.kind(p.rootfs + path) == FileKind::kRegular) {
      b.bind_from_root(kTreeEtcStaging + std::string(name), path);
    } else {
      missing += (missing.empty() ? "" : " ") + path;
    }
  }
  if (!missing.empty()) {
    b.note("the tree has no regular " + missing + " for sbx to bind the sandbox's over, so the tree's own " +
           "stays (if any); a tree built by this version of sbx rootfs build has them");
  }
}

void plan_tree_root(Builder& b, const policy::Policy& p, const rootfs::HostView& host) {
  for (const auto& name : host.list_dir(p.rootfs)) {
    bool managed = false;
    for (auto m : kManagedTopLevel) managed = managed || name == m;
    if (!managed) mirror_host_entry(b, host, p.rootfs + "/" + name, "/" + name, /*untrusted=*/true);
  }
  place_tree_etc(b, p, host);
}

void plan_proc(Builder& b, const rootfs::HostView& host) {
  b.simple(MountOpKind::kProc, "/proc");
  for (auto file : kMaskedProcFiles) {
    // The sandbox's proc shows the same kernel files as the host's. One that only its owner
    // (the host's root, never mapped into the sandbox) may use needs no mask; one that is absent
    // needs none either. Unknown permissions keep the mask.
    const std::string path(file);
    if (!host.kind(path).has_value()) continue;
    const auto mode = host.permissions(path);
    if (mode && (*mode & 0006) == 0) continue;
    b.simple(MountOpKind::kMaskWithNull, path, true);
  }
  for (auto dir : kReadOnlyProcDirs) b.simple(MountOpKind::kMakeReadOnly, std::string(dir), true);
}

// /dev is a directory of the root tmpfs, read-only with it; the device nodes are bind mounts
// of their own, so they stay usable.
void plan_dev(Builder& b, const policy::Policy& p) {
  for (auto dev : kDevices) b.device(std::string(dev));
  b.simple(MountOpKind::kDevpts, "/dev/pts");
  b.symlink("pts/ptmx", "/dev/ptmx");
  b.symlink("/proc/self/fd", "/dev/fd");
  b.symlink("/proc/self/fd/0", "/dev/stdin");
  b.symlink("/proc/self/fd/1", "/dev/stdout");
  b.symlink("/proc/self/fd/2", "/dev/stderr");
  b.tmpfs("/dev/shm", "size=64m,mode=1777", p.read_only);
  b.landlock("/dev", PathAccess::kDevices);
  if (!p.read_only) b.landlock("/dev/shm", PathAccess::kReadWrite);
}

void plan_tmp(Builder& b, const policy::Policy& p) {
  b.tmpfs("/tmp", "size=" + std::to_string(p.tmp_size_bytes) + ",mode=1777", p.read_only);
  if (!p.read_only) b.landlock("/tmp", PathAccess::kReadWrite);
}

// Top-level host directories the root tmpfs may be built on (in the child's mount namespace only),
// most likely free first.
constexpr std::array<std::string_view, 6> kStagingCandidates{"tmp", "mnt", "srv", "media", "opt", "var"};

// "/a/b" -> "a/b"; "/" -> "".
std::string_view relative_to_root(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path;
}

// Whether `inner` is `outer` or lies beneath it (both relative to /; "" is / itself).
bool same_or_nested(std::string_view inner, std::string_view outer) {
  if (outer.empty()) return true;
  return inner.substr(0, outer.size()) == outer && (inner.size() == outer.size() || inner[outer.size()] == '/');
}

}  // namespace

MountPlan plan_prelude(const policy::Policy& p, const rootfs::HostView& host) {
  Builder b;
  const bool host_root = p.rootfs == "host";
  if (host_root) {
    plan_generated_etc(b, p, host);
  } else {
    stage_tree_etc(b, p, host);
  }
  plan_proc(b, host);
  plan_dev(b, p);
  // A tree's /tmp comes in the rest, once the staged /etc files it covers have been bound.
  if (host_root) plan_tmp(b, p);
  return b.take();
}

Result<MountPlan> plan_rest(const policy::Policy& p, const rootfs::HostView& host) {
  Builder b;
  b.landlock("/", PathAccess::kReadExec);
  if (p.rootfs == "host") {
    plan_host_root(b, host);
  } else {
    if (host.kind(p.rootfs) != FileKind::kDirectory) {
      return make_error("--rootfs " + p.rootfs + ": not a directory");
    }
    plan_tree_root(b, p, host);
    plan_tmp(b, p);
  }
  if (!p.workspace_source.empty()) {
    b.bind(p.workspace_source, "/workspace", !p.workspace_writable, /*is_dir=*/true, /*untrusted=*/true);
    if (p.workspace_writable) b.landlock("/workspace", PathAccess::kReadWrite);
  }
  for (const auto& bind : p.binds) {
    const bool is_dir = host.kind(bind.source) == FileKind::kDirectory;
    b.bind(bind.source, bind.target, bind.read_only, is_dir, /*untrusted=*/true);
    if (!bind.read_only) b.landlock(bind.target, PathAccess::kReadWrite);
  }
  for (const auto& t : p.tmpfs) {
    b.tmpfs(t.target, "size=" + std::to_string(t.size_bytes) + ",mode=1777", /*read_only=*/false);
    b.landlock(t.target, PathAccess::kReadWrite);
  }
  b.simple(MountOpKind::kMakeReadOnly, "/");
  return b.take();
}

Result<MountPlan> plan_mounts(const policy::Policy& p, const rootfs::HostView& host) {
  MountPlan all = plan_prelude(p, host);
  SBX_ASSIGN_OR_RETURN(MountPlan rest, plan_rest(p, host));
  all.steps.insert(all.steps.end(), std::make_move_iterator(rest.steps.begin()),
                   std::make_move_iterator(rest.steps.end()));
  all.landlock_paths.insert(all.landlock_paths.end(), std::make_move_iterator(rest.landlock_paths.begin()),
                            std::make_move_iterator(rest.landlock_paths.end()));
  all.notes.insert(all.notes.end(), std::make_move_iterator(rest.notes.begin()),
                   std::make_move_iterator(rest.notes.end()));
  return all;
}

std::optional<std::string> early_staging_dir(const policy::Policy& p, const rootfs::HostView& host) {
  std::vector<std::string_view> sources(kHostSystemDirs.begin(), kHostSystemDirs.end());
  sources.push_back("etc");
  if (p.rootfs != "host") sources.push_back(relative_to_root(p.rootfs));
  if (!p.workspace_source.empty()) sources.push_back(relative_to_root(p.workspace_source));
  for (const auto& bind : p.binds) sources.push_back(relative_to_root(bind.source));
  for (auto candidate : kStagingCandidates) {
    const bool taken = std::any_of(sources.begin(), sources.end(), [&](std::string_view source) {
      return same_or_nested(source, candidate) || same_or_nested(candidate, source);
    });
    if (!taken && host.kind("/" + std::string(candidate)) == FileKind::kDirectory) return "/" + std::string(candidate);
  }
  return std::nullopt;
}

}  // namespace sbx::mounts
