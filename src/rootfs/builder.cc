#include "rootfs/builder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "base/accounts.h"
#include "base/file_contents.h"
#include "rootfs/apt_sources.h"
#include "rootfs/build_process.h"
#include "rootfs/build_progress.h"
#include "rootfs/generated_etc.h"
#include "base/remove_tree.h"
#include "rootfs/fs_util.h"
#include "rootfs/store.h"
#include "rootfs/tree_hash.h"

namespace sbx::rootfs {
namespace {

bool in_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (!dir.empty() && ::access((dir + "/" + std::string(program)).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Removes the build directory unless the build was installed.
class BuildDirGuard {
 public:
  explicit BuildDirGuard(std::string path) : path_(std::move(path)) {}
  ~BuildDirGuard() {
    if (!path_.empty()) (void)remove_tree(path_);
  }
  BuildDirGuard(const BuildDirGuard&) = delete;
  BuildDirGuard& operator=(const BuildDirGuard&) = delete;
  void release() { path_.clear(); }

 private:
  std::string path_;
};

Error interrupted_error(const InterruptWatch& watch) {
  const int sig = watch.signal_number() != 0 ? watch.signal_number() : SIGINT;
  const char* abbrev = sigabbrev_np(sig);
  Error e = make_error(std::string("interrupted by SIG") + (abbrev != nullptr ? abbrev : "?") +
                       "; nothing was installed");
  e.sys_errno = EINTR;
  return e;
}

Error child_failure(const std::string& what, const ChildResult& run) {
  std::string message = what + " failed (exit status " + std::to_string(run.exit_code) + ")";
  // mmdebstrap's "E:" lines say why; fall back to the last lines of output.
  std::string reasons;
  for (const auto& line : run.tail) {
    if (line.starts_with("E: ")) reasons += "\n  " + line;
  }
  if (reasons.empty()) {
    size_t skip = run.tail.size() > 10 ? run.tail.size() - 10 : 0;
    for (const auto& line : run.tail) {
      if (skip > 0) {
        --skip;
        continue;
      }
      reasons += "\n  " + line;
    }
  }
  return make_error(message + reasons);
}

std::vector<PostBuildStep> etc_placeholder_steps() {
  std::vector<PostBuildStep> steps;
  for (auto& file : tree_etc_placeholders()) {
    PostBuildStep step;
    step.kind = PostBuildStep::Kind::kWrite;
    step.path = "/etc/" + file.name;
    step.contents = std::move(file.contents);
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace

Result<BuildMode> parse_build_mode(std::string_view text) {
  if (text == "auto") return BuildMode::kAuto;
  if (text == "root") return BuildMode::kRoot;
  if (text == "unshare") return BuildMode::kUnshare;
  if (text == "fakechroot") return BuildMode::kFakechroot;
  return make_error("expected auto, root, unshare or fakechroot, got \"" + std::string(text) + "\"");
}

const char* build_mode_name(BuildMode mode) {
  switch (mode) {
    case BuildMode::kAuto: return "auto";
    case BuildMode::kRoot: return "root";
    case BuildMode::kUnshare: return "unshare";
    case BuildMode::kFakechroot: return "fakechroot";
  }
  return "?";
}

bool has_subordinate_range(std::string_view text, std::string_view user, uid_t uid) {
  const std::string uid_text = std::to_string(uid);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view owner = line.substr(0, colon);
    if ((!user.empty() && owner == user) || owner == uid_text) return true;
  }
  return false;
}

HostAbilities probe_host_abilities() {
  HostAbilities host;
  host.euid = ::geteuid();
  std::string user;
  if (auto name = user_name(host.euid)) user = *name;
  const auto subuid = read_file_contents("/etc/subuid");
  const auto subgid = read_file_contents("/etc/subgid");
  host.has_subordinate_ids = subuid && subgid && has_subordinate_range(*subuid, user, host.euid) &&
                             has_subordinate_range(*subgid, user, host.euid);
  host.has_newuidmap = in_path("newuidmap") && in_path("newgidmap");
  host.has_fakechroot = in_path("fakechroot") && in_path("fakeroot");
  return host;
}

Result<BuildMode> choose_build_mode(BuildMode requested, const HostAbilities& host) {
  const bool root = host.euid == 0;
  const bool unshare_ok = root || (host.has_subordinate_ids && host.has_newuidmap);
  switch (requested) {
    case BuildMode::kAuto:
      if (root) return BuildMode::kRoot;
      if (unshare_ok) return BuildMode::kUnshare;
      if (host.has_fakechroot) return BuildMode::kFakechroot;
      return make_error(
          "an unprivileged build needs subordinate ids for your user (as root: usermod --add-subuids "
          "100000-165535 --add-subgids 100000-165535 USER; and apt-get install uidmap) or the fakechroot "
          "and fakeroot packages");
    case BuildMode::kRoot:
      if (!root) return make_error("--mode root needs root (as a user, use --mode unshare or fakechroot)");
      return BuildMode::kRoot;
    case BuildMode::kUnshare:
      if (!host.has_newuidmap && !root) return make_error("--mode unshare needs newuidmap (apt-get install uidmap)");
      if (!unshare_ok) {
        return make_error("--mode unshare needs a range for your user in /etc/subuid and /etc/subgid (as root: "
                          "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER)");
      }
      return BuildMode::kUnshare;
    case BuildMode::kFakechroot:
      if (!host.has_fakechroot) return make_error("--mode fakechroot needs apt-get install fakechroot fakeroot");
      return BuildMode::kFakechroot;
  }
  return make_error("unknown build mode");
}

std::vector<std::string> mmdebstrap_argv(const Recipe& recipe, BuildMode mode, const std::string& suite,
                                         const std::string& target, const std::vector<std::string>& sources) {
  std::vector<std::string> argv{"mmdebstrap", std::string("--mode=") + build_mode_name(mode), "--variant=minbase",
                                "--verbose"};
  std::string include = "--include=";
  for (size_t i = 0; i < recipe.packages.size(); ++i) include += (i ? "," : "") + recipe.packages[i];
  argv.push_back(include);
  argv.push_back("--aptopt=Acquire::Retries \"3\"");
  // A recipe lists what the tree needs; Recommends would add compilers, -dev packages and
  // scipy to the python tree (a gigabyte instead of a few hundred megabytes).
  argv.push_back("--aptopt=APT::Install-Recommends \"false\"");
  // Trim rules under /usr/share double as dpkg filters, so those files are never even unpacked.
  // Elsewhere (/var, /usr/lib) packages may need the paths while they install; those rules run
  // only on the finished tree.
  for (const auto& p : recipe.trim.remove) {
    if (p.starts_with("/usr/share/")) argv.push_back("--dpkgopt=path-exclude=" + p);
  }
  for (const auto& p : recipe.trim.keep) {
    if (p.starts_with("/usr/share/")) argv.push_back("--dpkgopt=path-include=" + p);
  }
  argv.push_back(mode == BuildMode::kRoot ? "--format=directory" : "--format=tar");
  argv.push_back(suite);
  argv.push_back(target);
  argv.insert(argv.end(), sources.begin(), sources.end());
  return argv;
}

Result<BuildOutcome> build_tree(const BuildOptions& options) {
  const Recipe& recipe = options.recipe;
  const auto started = std::chrono::steady_clock::now();
  if (!in_path("mmdebstrap")) {
    return make_error("mmdebstrap is not installed (Debian: apt-get install mmdebstrap uidmap)");
  }
  SBX_ASSIGN_OR_RETURN(const BuildMode mode, choose_build_mode(options.mode, probe_host_abilities()));
  std::vector<std::string> sources = options.sources;
  std::string suite = options.suite;
  if (sources.empty()) {
    const auto host = host_debian_sources();
    sources = source_lines(host);
    if (suite.empty()) suite = base_suite(host).value_or("");
  }
  if (sources.empty()) {
    return make_error("no Debian archive found in /etc/apt/sources.list{,.d} (pass --mirror \"deb URI SUITE main\")");
  }
  if (suite.empty()) {
    const auto parsed = parse_one_line_sources(sources[0]);
    if (auto s = base_suite(parsed)) suite = *s;
  }
  if (suite.empty()) return make_error("cannot tell the Debian release to build (pass --suite NAME)");

  SBX_ASSIGN_OR_RETURN(InterruptWatch watch, InterruptWatch::start());
  SBX_RETURN_IF_ERROR(make_dirs(options.store, 0755));
  BuildOutcome outcome;
  outcome.stale_removed = remove_stale_builds(options.store);
  const std::string build = build_dir(options.store, recipe.name, ::getpid());
  SBX_RETURN_IF_ERROR(remove_tree(build));
  if (::mkdir(build.c_str(), 0755) != 0) return errno_error("mkdir " + build);
  BuildDirGuard guard(build);
  const std::string root = build + "/root";
  const std::string tarball = build + "/rootfs.tar";

  BuildProgress progress(recipe.name, options.terminal, options.progress);
  ChildOptions child;
  child.on_line = [&progress](std::string_view line) { progress.line(line); };
  child.on_tick = [&progress] { progress.tick(); };

  const auto argv = mmdebstrap_argv(recipe, mode, suite, mode == BuildMode::kRoot ? root : tarball, sources);
  auto run = run_child(argv, watch, child);
  if (!run) {
    return std::move(run).error();
  }
  if (run->interrupted || watch.interrupted()) {
    return interrupted_error(watch);
  }
  if (run->exit_code != 0) {
    return child_failure("mmdebstrap", *run);
  }

  if (mode != BuildMode::kRoot) {
    progress.step("unpacking the tree");
    if (::mkdir(root.c_str(), 0755) != 0) return errno_error("mkdir " + root);
    // As a user the files become the user's (the ids inside the tarball mean nothing here).
    std::vector<std::string> tar{"tar", "-x", "-p", "-f", tarball, "-C", root, "--numeric-owner",
                                 ::geteuid() == 0 ? "--same-owner" : "--no-same-owner", "--exclude=./dev/*"};
    auto untar = run_child(tar, watch, ChildOptions{});
    if (!untar || untar->interrupted || untar->exit_code != 0) {
        if (!untar) return std::move(untar).error();
      if (untar->interrupted) return interrupted_error(watch);
      return child_failure("tar", *untar);
    }
    if (::unlink(tarball.c_str()) != 0) return errno_error("unlink " + tarball);
  }

  auto interrupted = [&watch] { return watch.interrupted(); };
  progress.step("trimming");
  SBX_RETURN_IF_ERROR(empty_dev(root));
  SBX_RETURN_IF_ERROR(apply_post_build(root, etc_placeholder_steps()));
  auto trimmed = apply_trim(root, recipe.trim, interrupted);
  if (!trimmed) {
    if (watch.interrupted()) return interrupted_error(watch);
    return std::move(trimmed).error().context("trim");
  }
  outcome.trimmed = *trimmed;
  SBX_RETURN_IF_ERROR(apply_post_build(root, recipe.post_build));

  progress.step("hashing the tree");
  auto listing = list_tree(root, interrupted);
  if (!listing) {
    if (watch.interrupted()) return interrupted_error(watch);
    return std::move(listing).error();
  }

  Manifest& m = outcome.manifest;
  m.name = recipe.name;
  m.description = recipe.description;
  m.recipe_sha256 = recipe.sha256;
  m.commands = recipe.commands;
  m.default_command = recipe.default_command;
  m.policy = recipe.policy;
  if (auto status = read_file_contents(root + "/var/lib/dpkg/status")) m.packages = parse_dpkg_status(*status);
  m.size_bytes = listing->file_bytes;
  m.entries = listing->entries;
  m.built_at = utc_timestamp_now();
  m.build_mode = build_mode_name(mode);
  m.suite = suite;
  m.sources = sources;
  m.sbx_version = options.sbx_version;
  m.builder_revision = kBuilderRevision;
  m.content_hash = listing_hash(listing->text);
  m.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  SBX_RETURN_IF_ERROR(replace_file_contents(build + "/tree.list", listing->text, 0644));
  SBX_RETURN_IF_ERROR(replace_file_contents(build + "/manifest.json", manifest_to_json(m), 0644));

  progress.step("installing");
  progress.finish();
  if (watch.interrupted()) return interrupted_error(watch);
  SBX_ASSIGN_OR_RETURN(outcome.replaced, install_build(options.store, recipe.name, build));
  outcome.dir = tree_dir(options.store, recipe.name);
  // The old tree now sits at the build path; removing it is cleanup, not part of the install.
  if (outcome.replaced) {
    if (auto removed = remove_tree(build); !removed) outcome.cleanup_warning = removed.error().message;
  }
  guard.release();
  return outcome;
}

}  // namespace sbx::rootfs
