#include "app/writable_binds.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace sbx::app {
namespace {

struct WritableBind {
  std::string source;
  std::string origin;
  bool is_workspace = false;
};

std::vector<WritableBind> writable_binds(const policy::Policy& p) {
  std::vector<WritableBind> out;
  if (!p.workspace_source.empty() && p.workspace_writable) out.push_back({p.workspace_source, "--rw", true});
  for (const auto& b : p.binds) {
    if (!b.read_only) out.push_back({b.source, b.origin.empty() ? "-v " + b.source + ":" + b.target : b.origin, false});
  }
  return out;
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool has_access_acl(const std::string& path) {
  return ::getxattr(path.c_str(), "system.posix_acl_access", nullptr, 0) > 0;
}

bool read_only_file_system(const std::string& path) {
  struct statvfs fs {};
  return ::statvfs(path.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0;
}

}  // namespace

bool mode_lets_write(const struct stat& st, uid_t uid, gid_t gid) {
  if (st.st_uid == uid) return (st.st_mode & S_IWUSR) != 0;
  if (st.st_gid == gid) return (st.st_mode & S_IWGRP) != 0;
  return (st.st_mode & S_IWOTH) != 0;
}

std::optional<std::string> why_sandbox_cannot_write(const std::string& dir, const launch::IdMapping& ids,
                                                    uid_t caller_euid) {
  if (read_only_file_system(dir)) return ": it is on a read-only file system";
  if (caller_euid != 0) {
    if (::faccessat(AT_FDCWD, dir.c_str(), W_OK, AT_EACCESS) == 0 || errno != EACCES) return std::nullopt;
    return ": neither can you (uid " + std::to_string(caller_euid) + ")";
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || mode_lets_write(st, ids.outside_uid, ids.outside_gid) || has_access_acl(dir)) {
    return std::nullopt;
  }
  const std::string uid = std::to_string(ids.outside_uid);
  return " (owner " + std::to_string(st.st_uid) + ", mode " + octal_mode(st.st_mode) +
         "): when sbx runs as root the sandbox is host uid " + uid +
         "; run sbx as an ordinary user who may write there, or chown it to " + uid;
}

std::vector<std::string> unwritable_bind_warnings(const policy::Policy& p, const launch::IdMapping& ids,
                                                  uid_t caller_euid) {
  std::vector<std::string> warnings;
  for (const auto& bind : writable_binds(p)) {
    const auto why = why_sandbox_cannot_write(bind.source, ids, caller_euid);
    if (!why) continue;
    // The workspace is writable only because --rw asked; a volume is writable by default.
    warnings.push_back(bind.origin + ": the sandbox cannot write to " + bind.source + *why +
                       (bind.is_workspace ? "" : "; mount it read-only if it is only read"));
  }
  return warnings;
}

}  // namespace sbx::app
