#include "policy/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/file_contents.h"
#include "base/unique_fd.h"
#include "base/yaml_document.h"
#include "policy/defaults.h"
#include "policy/schema.h"
#include "policy/validate.h"
#include "policy/yaml_cursor.h"

namespace sbx::policy {
namespace {

Result<std::string> read_policy_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return errno_error("policy " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("policy " + path);
  if (!S_ISREG(st.st_mode)) return make_error("policy " + path + ": not a regular file");
  auto text = read_file_contents(fd.get(), "policy " + path, kMaxPolicyFileBytes);
  if (!text && text.error().sys_errno == EFBIG) {
    Error error = std::move(text).error();
    error.message += "; a policy file is a page of YAML";
    return error;
  }
  return text;
}

std::string canonical(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) != nullptr ? std::string(resolved) : path;
}

// Files being loaded, the outermost first: for cycle errors and the extends depth limit.
struct Chain {
  std::vector<std::string> labels;
  std::vector<std::string> canonical_paths;
};

std::string chain_text(const Chain& chain, const std::string& closing) {
  std::string out;
  for (const auto& label : chain.labels) out += label + " -> ";
  return out + closing;
}

Result<Policy> load_chain(std::string_view text, const std::string& label, Chain& chain, const ParentFinder& find);

// Applies the parent named by `extends` (or the defaults) and returns the result.
Result<Policy> load_base(const detail::Cursor& root, Chain& chain, const ParentFinder& find) {
  if (!root.is_null()) {
    SBX_ASSIGN_OR_RETURN(auto entries, root.entries(detail::kTopLevelKeys));
    for (const auto& [key, v] : entries) {
      if (key != "extends") continue;
      SBX_ASSIGN_OR_RETURN(const std::string name, v.scalar());
      if (name.empty()) return v.error("names no policy");
      if (!find) return v.error("cannot be followed here");
      auto parent = find(name, chain.labels.back());
      if (!parent) return v.error(parent.error().message);
      const std::string parent_canonical = canonical(*parent);
      for (const auto& seen : chain.canonical_paths) {
        if (seen == parent_canonical) return v.error("makes a cycle: " + chain_text(chain, *parent));
      }
      if (chain.labels.size() >= kMaxExtendsDepth) {
        return v.error("goes deeper than " + std::to_string(kMaxExtendsDepth) + " policies");
      }
      auto parent_text = read_policy_file(*parent);
      if (!parent_text) return v.error(parent_text.error().message);
      chain.labels.push_back(*parent);
      chain.canonical_paths.push_back(parent_canonical);
      return load_chain(*parent_text, *parent, chain, find);
    }
  }
  return default_policy();
}

Result<Policy> load_chain(std::string_view text, const std::string& label, Chain& chain, const ParentFinder& find) {
  // yaml-cpp reports errors by throwing; they stop here.
  try {
    const YAML::Node root = load_yaml_document(text);
    const detail::Cursor cursor = detail::root_cursor(root, label);
    if (!root.IsNull() && !root.IsMap()) {
      return cursor.error("a policy is a mapping of sections (rootfs:, filesystem:, limits:...)");
    }
    SBX_ASSIGN_OR_RETURN(Policy p, load_base(cursor, chain, find));
    SBX_RETURN_IF_ERROR(detail::apply_document(cursor, p));
    return p;
  } catch (const YAML::Exception& e) {
    const std::string at = e.mark.is_null() ? "1:1" : std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(label + ":" + at + ": not valid YAML: " + e.msg);
  }
}

}  // namespace

std::string policy_name_from_path(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::string_view ext : {".yaml", ".yml", ".json"}) {
    if (base.size() > ext.size() && base.substr(base.size() - ext.size()) == ext) {
      base.remove_suffix(ext.size());
      break;
    }
  }
  return std::string(base);
}

Result<LoadedPolicy> load_policy_text(std::string_view text, const std::string& label, const ParentFinder& find) {
  Chain chain{{label}, {canonical(label)}};
  SBX_ASSIGN_OR_RETURN(Policy p, load_chain(text, label, chain, find));
  // After extends: a child may change the uid its parent named.
  if (const std::string clash = user_name_clash(p.uid, p.user_name); !clash.empty()) {
    return make_error(label + ": identity.user: " + clash);
  }
  p.name = policy_name_from_path(label);
  return LoadedPolicy{std::move(p), label, std::move(chain.labels)};
}

Result<LoadedPolicy> load_policy_file(const std::string& path, const ParentFinder& find) {
  SBX_ASSIGN_OR_RETURN(const std::string text, read_policy_file(path));
  return load_policy_text(text, path, find);
}

}  // namespace sbx::policy
