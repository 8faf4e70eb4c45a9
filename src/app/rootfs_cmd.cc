// `sbx rootfs build|list|show|verify|rm|recipes`: prebuilt language trees (src/rootfs/).
#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>
#include <memory>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "base/file_contents.h"
#include "base/process_env.h"
#include "cli/option_parser.h"
#include "policy/validate.h"
#include "rootfs/builder.h"
#include "base/remove_tree.h"
#include "rootfs/fs_util.h"
#include "rootfs/recipe.h"
#include "rootfs/store.h"
#include "rootfs/tree_hash.h"

namespace sbx::app {
namespace {

constexpr int kExitVerifyFailed = 1;
constexpr int kExitCannotVerify = 2;  // this user may not read the whole tree
constexpr int kExitInterrupted = 130;

constexpr const char* kUsage =
    "Usage: sbx rootfs COMMAND [OPTIONS]\n"
    "\n"
    "Prebuilt, read-only root filesystems for sandboxes, built from Debian packages.\n"
    "\n"
    "Commands:\n"
    "  build NAME|FILE.yaml   build the tree a recipe describes and install it in the store\n"
    "  list                   the installed trees: name, size, packages, build date\n"
    "  show NAME              a tree's manifest (recipe, packages and versions, content hash)\n"
    "  verify NAME            recompute a tree's content hash; exit 1 naming the first change\n"
    "  rm NAME                remove a tree\n"
    "  recipes                the recipes that can be built\n"
    "\n"
    "Options:\n";

struct RootfsFlags {
  std::optional<std::string> store;
  std::vector<std::string> recipe_dirs;
  std::string mode = "auto";
  std::vector<std::string> mirrors;
  std::string suite;
  bool json = false;
  bool if_changed = false;
  bool no_progress = false;
  bool help = false;
};

std::vector<cli::OptionSpec> rootfs_specs(RootfsFlags& f) {
  const auto set = cli::store_value;
  const auto flag = cli::set_flag;
  return {
      {"store", 0, true, "DIR", "the store to use (default: see sbx-rootfs(1))",
       [&f](std::string_view v) -> Status {
         if (v.empty()) return make_error("expected a directory");
         if (v[0] == '/') {
           f.store = std::string(v);
           return {};
         }
         // Relative to the current directory, as every other path on the command line.
         char cwd[PATH_MAX];
         if (::getcwd(cwd, sizeof cwd) == nullptr) return errno_error("the current directory");
         f.store = std::string(cwd) + "/" + std::string(v);
         return {};
       }},
      {"json", 0, false, "", "list, show, verify: print JSON", flag(f.json)},
      {"recipes", 0, true, "DIR", "build, recipes: look for NAME.yaml in DIR first",
       [&f](std::string_view v) -> Status {
         f.recipe_dirs.emplace_back(v);
         return {};
       }},
      {"mode", 0, true, "auto|root|unshare|fakechroot", "build: how mmdebstrap runs (default auto)", set(f.mode)},
      {"mirror", 0, true, "'deb URI SUITE COMPONENT...'",
       "build: apt source to use instead of the host's Debian ones (repeatable)",
       [&f](std::string_view v) -> Status {
         if (!v.starts_with("deb ")) return make_error("expected a one-line apt source: 'deb URI SUITE COMPONENT...'");
         f.mirrors.emplace_back(v);
         return {};
       }},
      {"suite", 0, true, "NAME", "build: Debian release (default: the host's)", set(f.suite)},
      {"if-changed", 0, false, "", "build: do nothing if the tree was built from this exact recipe",
       flag(f.if_changed)},
      {"no-progress", 0, false, "", "build: print only the result", flag(f.no_progress)},
      {"help", 'h', false, "", "show this help", flag(f.help)},
  };
}

// Options may come before or after the operands ("build python --store DIR").
Result<std::vector<std::string>> parse_rootfs_args(std::span<const std::string> args, RootfsFlags& flags) {
  const auto specs = rootfs_specs(flags);
  std::vector<std::string> operands;
  size_t i = 0;
  while (i < args.size()) {
    SBX_ASSIGN_OR_RETURN(const size_t stop, cli::parse_options(args.subspan(i), specs));
    if (stop > 0 && args[i + stop - 1] == "--") {
      operands.insert(operands.end(), args.begin() + static_cast<std::ptrdiff_t>(i + stop), args.end());
      break;
    }
    i += stop;
    if (i < args.size()) operands.push_back(args[i++]);
  }
  return operands;
}

std::vector<std::string> recipe_search_dirs(const RootfsFlags& flags) {
  std::vector<std::string> dirs = flags.recipe_dirs;
  if (const char* env = std::getenv("SBX_RECIPES_DIR"); env != nullptr && *env != '\0') dirs.emplace_back(env);
  dirs.emplace_back(SBX_RECIPES_INSTALL_DIR);
  dirs.emplace_back(SBX_RECIPES_SOURCE_DIR);
  return dirs;
}

Result<std::string> store_dir(const RootfsFlags& flags) {
  if (flags.store) return *flags.store;
  return rootfs::default_store_dir(::geteuid(), process_env);
}

std::string human_size(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30)) {
    std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(bytes) / (1ull << 20));
  }
  return buf;
}

std::string minutes(double seconds) {
  char buf[32];
  const auto whole = static_cast<long long>(seconds + 0.5);
  std::snprintf(buf, sizeof(buf), "%lld:%02lld", whole / 60, whole % 60);
  return buf;
}

int fail(const std::string& message, int status = kExitUsage) {
  spdlog::error("rootfs: {}", message);
  return status;
}

Result<std::string> one_name(const std::vector<std::string>& operands, const char* command) {
  if (operands.size() != 1) {
    return make_error(std::string("expected one tree name: sbx rootfs ") + command + " NAME");
  }
  if (!policy::valid_tree_name(operands[0])) {
    return make_error("\"" + operands[0] + "\" is not a tree name (lower-case letters, digits, '_' or '-')");
  }
  return operands[0];
}

int cmd_build(const std::vector<std::string>& operands, const RootfsFlags& flags) {
  if (operands.size() != 1) return fail("expected one recipe: sbx rootfs build NAME|FILE.yaml");
  auto path = rootfs::find_recipe_file(operands[0], recipe_search_dirs(flags));
  if (!path) return fail(path.error().message);
  auto recipe = rootfs::load_recipe(*path);
  if (!recipe) return fail(recipe.error().message);
  auto mode = rootfs::parse_build_mode(flags.mode);
  if (!mode) return fail("--mode: " + mode.error().message);
  auto store = store_dir(flags);
  if (!store) return fail(store.error().message);

  if (flags.if_changed) {
    if (auto existing = rootfs::read_manifest(*store, recipe->name); existing && existing->recipe_sha256 == recipe->sha256 &&
                                                                   existing->builder_revision == rootfs::kBuilderRevision) {
      std::printf("%s: up to date (built %s from this recipe) in %s\n", recipe->name.c_str(),
                  existing->built_at.c_str(), rootfs::tree_dir(*store, recipe->name).c_str());
      return 0;
    }
  }
  rootfs::BuildOptions options;
  options.store = *store;
  options.recipe = *recipe;
  options.mode = *mode;
  options.sources = flags.mirrors;
  options.suite = flags.suite;
  options.terminal = ::isatty(STDERR_FILENO) == 1;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> nowhere(
      flags.no_progress ? std::fopen("/dev/null", "we") : nullptr, [](std::FILE* f) { return f ? std::fclose(f) : 0; });
  options.progress = nowhere ? nowhere.get() : stderr;
  options.sbx_version = SBX_VERSION;
  auto built = rootfs::build_tree(options);
  if (!built) {
    if (built.error().sys_errno == EINTR) return fail(recipe->name + ": " + built.error().message, kExitInterrupted);
    return fail(recipe->name + ": " + built.error().message);
  }
  for (const auto& stale : built->stale_removed) spdlog::info("rootfs: removed a stale build {}", stale);
  if (!built->cleanup_warning.empty()) {
    spdlog::warn("rootfs: installed, but the replaced tree could not be deleted: {}", built->cleanup_warning);
  }
  const auto& m = built->manifest;
  std::printf("%s: built in %s (mode %s): %s, %zu packages, %s -> %s\n", m.name.c_str(),
              minutes(m.build_seconds).c_str(), m.build_mode.c_str(), human_size(m.size_bytes).c_str(),
              m.packages.size(), m.content_hash.c_str(), built->dir.c_str());
  return 0;
}

int cmd_list(const RootfsFlags& flags) {
  auto store = store_dir(flags);
  if (!store) return fail(store.error().message);
  nlohmann::ordered_json trees = nlohmann::ordered_json::array();
  std::vector<std::array<std::string, 5>> rows;
  for (const auto& name : rootfs::tree_names(*store)) {
    auto m = rootfs::read_manifest(*store, name);
    if (!m) {
      spdlog::warn("rootfs: {}", m.error().message);
      continue;
    }
    trees.push_back({{"name", m->name},
                     {"path", rootfs::tree_root(*store, name)},
                     {"size_bytes", m->size_bytes},
                     {"packages", m->packages.size()},
                     {"built_at", m->built_at},
                     {"description", m->description}});
    rows.push_back({m->name, human_size(m->size_bytes), std::to_string(m->packages.size()), m->built_at,
                    m->description});
  }
  if (flags.json) {
    std::cout << nlohmann::ordered_json{{"store", *store}, {"trees", trees}}.dump(2) << "\n";
    return 0;
  }
  if (rows.empty()) {
    std::printf("no trees in %s (build one: sbx rootfs build python)\n", store->c_str());
    return 0;
  }
  size_t width = 4;
  for (const auto& r : rows) width = std::max(width, r[0].size());
  std::printf("%-*s  %10s  %8s  %-20s  %s\n", static_cast<int>(width), "NAME", "SIZE", "PACKAGES", "BUILT",
              "DESCRIPTION");
  for (const auto& r : rows) {
    std::printf("%-*s  %10s  %8s  %-20s  %s\n", static_cast<int>(width), r[0].c_str(), r[1].c_str(), r[2].c_str(),
                r[3].c_str(), r[4].c_str());
  }
  return 0;
}

int cmd_show(const std::vector<std::string>& operands, const RootfsFlags& flags) {
  auto name = one_name(operands, "show");
  if (!name) return fail(name.error().message);
  auto store = store_dir(flags);
  if (!store) return fail(store.error().message);
  auto m = rootfs::read_manifest(*store, *name);
  if (!m) return fail("no tree \"" + *name + "\" in " + *store + " (" + m.error().message + ")");
  if (flags.json) {
    auto j = nlohmann::ordered_json::parse(rootfs::manifest_to_json(*m));
    j["path"] = rootfs::tree_root(*store, *name);
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::string commands;
  for (const auto& c : m->commands) commands += (commands.empty() ? "" : " ") + c;
  std::string default_command;
  for (const auto& c : m->default_command) default_command += (default_command.empty() ? "" : " ") + c;
  std::printf("name:          %s\n", m->name.c_str());
  std::printf("description:   %s\n", m->description.c_str());
  std::printf("path:          %s\n", rootfs::tree_root(*store, *name).c_str());
  std::printf("commands:      %s\n", commands.c_str());
  std::printf("default:       %s\n", default_command.c_str());
  std::printf("policy:        %s\n", m->policy.c_str());
  std::printf("built:         %s in %s (mode %s, %s, sbx %s)\n", m->built_at.c_str(), minutes(m->build_seconds).c_str(),
              m->build_mode.c_str(), m->suite.c_str(), m->sbx_version.c_str());
  std::printf("size:          %s in %llu entries\n", human_size(m->size_bytes).c_str(),
              static_cast<unsigned long long>(m->entries));
  std::printf("recipe sha256: %s\n", m->recipe_sha256.c_str());
  std::printf("content hash:  %s\n", m->content_hash.c_str());
  std::printf("packages:      %zu\n", m->packages.size());
  for (const auto& p : m->packages) std::printf("  %s %s\n", p.name.c_str(), p.version.c_str());
  return 0;
}

int cmd_verify(const std::vector<std::string>& operands, const RootfsFlags& flags) {
  auto name = one_name(operands, "verify");
  if (!name) return fail(name.error().message);
  auto store = store_dir(flags);
  if (!store) return fail(store.error().message);
  auto m = rootfs::read_manifest(*store, *name);
  if (!m) return fail("no tree \"" + *name + "\" in " + *store + " (" + m.error().message + ")");
  nlohmann::ordered_json report{{"name", *name}, {"path", rootfs::tree_root(*store, *name)},
                                {"expected", m->content_hash}};
  auto listing = rootfs::list_tree(rootfs::tree_root(*store, *name));
  std::optional<rootfs::TreeDifference> difference;
  std::string problem;
  if (!listing && listing.error().sys_errno == EACCES) {
    // A tree root built has files only root may read (/etc/shadow, ...): this user cannot hash
    // them, which says nothing about whether they changed.
    const std::string why = listing.error().message + "; run sbx rootfs verify as the tree's owner (root)";
    report["ok"] = nullptr;
    report["problem"] = why;
    if (flags.json) {
      std::cout << report.dump(2) << "\n";
    } else {
      std::printf("%s: NOT VERIFIED: %s\n", name->c_str(), why.c_str());
    }
    return kExitCannotVerify;
  }
  if (!listing) {
    problem = listing.error().message;
  } else {
    const std::string actual = rootfs::listing_hash(listing->text);
    report["actual"] = actual;
    if (actual != m->content_hash) {
      const auto stored = read_file_contents(rootfs::listing_path(*store, *name));
      if (stored && rootfs::listing_hash(*stored) == m->content_hash) {
        difference = rootfs::first_difference(*stored, listing->text);
      }
      problem = difference ? difference->path + ": " + difference->what
                           : "the content hash differs, and tree.list no longer matches the manifest either, so "
                             "the changed path cannot be named";
    }
  }
  const bool ok = problem.empty();
  report["ok"] = ok;
  if (difference) report["first_difference"] = {{"path", difference->path}, {"what", difference->what}};
  if (!ok) report["problem"] = problem;
  if (flags.json) {
    std::cout << report.dump(2) << "\n";
  } else if (ok) {
    std::printf("%s: ok (%s, %llu entries)\n", name->c_str(), m->content_hash.c_str(),
                static_cast<unsigned long long>(listing->entries));
  } else {
    std::printf("%s: MODIFIED: %s\n", name->c_str(), problem.c_str());
  }
  return ok ? 0 : kExitVerifyFailed;
}

int cmd_rm(const std::vector<std::string>& operands, const RootfsFlags& flags) {
  auto name = one_name(operands, "rm");
  if (!name) return fail(name.error().message);
  auto store = store_dir(flags);
  if (!store) return fail(store.error().message);
  const std::string dir = rootfs::tree_dir(*store, *name);
  if (::access(dir.c_str(), F_OK) != 0) return fail("no tree \"" + *name + "\" in " + *store);
  // Rename first so the name disappears at once, even if deleting the files takes a while.
  const std::string doomed = rootfs::build_dir(*store, *name, ::getpid());
  if (::rename(dir.c_str(), doomed.c_str()) != 0) return fail(errno_error("rename " + dir).message);
  if (auto removed = remove_tree(doomed); !removed) return fail(removed.error().message);
  std::printf("%s: removed from %s\n", name->c_str(), store->c_str());
  return 0;
}

int cmd_recipes(const RootfsFlags& flags) {
  std::vector<std::string> seen;
  for (const auto& dir : recipe_search_dirs(flags)) {
    for (const auto& name : rootfs::recipe_names(dir)) {
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      auto recipe = rootfs::load_recipe(dir + "/" + name + ".yaml");
      if (!recipe) {
        spdlog::warn("rootfs: {}", recipe.error().message);
        continue;
      }
      std::printf("%-8s %s\n", name.c_str(), recipe->description.c_str());
    }
  }
  if (seen.empty()) return fail("no recipes found (pass --recipes DIR)");
  return 0;
}

}  // namespace

int run_rootfs(std::span<const std::string> args, const GlobalOptions& global) {
  setup_logging(global.verbosity, global.quiet);
  RootfsFlags flags;
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage << cli::format_option_help(rootfs_specs(flags));
    return args.empty() ? kExitUsage : 0;
  }
  const std::string command = args[0];
  auto operands = parse_rootfs_args(args.subspan(1), flags);
  if (!operands) return fail(operands.error().message);
  if (flags.help) {
    std::cout << kUsage << cli::format_option_help(rootfs_specs(flags));
    return 0;
  }
  if (command == "build") return cmd_build(*operands, flags);
  if (command == "list" || command == "ls") return cmd_list(flags);
  if (command == "show") return cmd_show(*operands, flags);
  if (command == "verify") return cmd_verify(*operands, flags);
  if (command == "rm") return cmd_rm(*operands, flags);
  if (command == "recipes") return cmd_recipes(flags);
  return fail("unknown command \"" + command + "\" (build, list, show, verify, rm, recipes; see sbx rootfs --help)");
}

}  // namespace sbx::app
