#include "landlock/abi.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "landlock/syscalls.h"
#include "landlock/uapi.h"

namespace sbx::landlock {
namespace {

using Named = std::pair<uint64_t, const char*>;

constexpr Named kFsRights[] = {
    {LANDLOCK_ACCESS_FS_EXECUTE, "execute"},       {LANDLOCK_ACCESS_FS_WRITE_FILE, "write_file"},
    {LANDLOCK_ACCESS_FS_READ_FILE, "read_file"},   {LANDLOCK_ACCESS_FS_READ_DIR, "read_dir"},
    {LANDLOCK_ACCESS_FS_REMOVE_DIR, "remove_dir"}, {LANDLOCK_ACCESS_FS_REMOVE_FILE, "remove_file"},
    {LANDLOCK_ACCESS_FS_MAKE_CHAR, "make_char"},   {LANDLOCK_ACCESS_FS_MAKE_DIR, "make_dir"},
    {LANDLOCK_ACCESS_FS_MAKE_REG, "make_reg"},     {LANDLOCK_ACCESS_FS_MAKE_SOCK, "make_sock"},
    {LANDLOCK_ACCESS_FS_MAKE_FIFO, "make_fifo"},   {LANDLOCK_ACCESS_FS_MAKE_BLOCK, "make_block"},
    {LANDLOCK_ACCESS_FS_MAKE_SYM, "make_sym"},     {LANDLOCK_ACCESS_FS_REFER, "refer"},
    {LANDLOCK_ACCESS_FS_TRUNCATE, "truncate"},     {LANDLOCK_ACCESS_FS_IOCTL_DEV, "ioctl_dev"},
};

constexpr Named kNetRights[] = {
    {LANDLOCK_ACCESS_NET_BIND_TCP, "bind_tcp"},
    {LANDLOCK_ACCESS_NET_CONNECT_TCP, "connect_tcp"},
};

constexpr Named kScopes[] = {
    {LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, "abstract-unix"},
    {LANDLOCK_SCOPE_SIGNAL, "signal"},
};

template <size_t N>
std::vector<std::string> names_of(uint64_t mask, const Named (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& [bit, name] : table) {
    if (mask & bit) {
      out.emplace_back(name);
      mask &= ~bit;
    }
  }
  for (int i = 0; i < 64; ++i) {
    if (mask & (uint64_t{1} << i)) out.push_back("bit" + std::to_string(i));
  }
  return out;
}

}  // namespace

int probe_abi() noexcept {
  const int rc = create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return rc > 0 ? rc : 0;
}

Result<int> probe_abi_detailed() {
  const int rc = create_ruleset(nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return interpret_abi_probe(rc, rc < 0 ? errno : 0);
}

Result<int> interpret_abi_probe(long rc, int saved_errno) {
  if (rc > 0) return static_cast<int>(rc);
  std::string why;
  switch (saved_errno) {
    case ENOSYS:
      why =
          "the kernel has no Landlock support (ENOSYS: older than Linux 5.13, built without "
          "CONFIG_SECURITY_LANDLOCK, or the syscall is blocked by a container's seccomp filter)";
      break;
    case EOPNOTSUPP:
      why =
          "Landlock is built into the kernel but disabled at boot (EOPNOTSUPP: landlock is "
          "missing from the lsm= list)";
      break;
    case 0:
      why = "landlock_create_ruleset(VERSION) returned " + std::to_string(rc);
      break;
    default:
      why = std::string("landlock_create_ruleset(VERSION) failed: ") + std::strerror(saved_errno);
      break;
  }
  return Error{saved_errno, "Landlock is unavailable: " + why + "; " + kEnableHint};
}

uint64_t handled_fs(int abi) noexcept {
  if (abi < 1) return 0;
  uint64_t mask = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // ABI 1: bits 0-12
  if (abi >= 2) mask |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) mask |= LANDLOCK_ACCESS_FS_TRUNCATE;
  if (abi >= 5) mask |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
  return mask;
}

bool supports_net(int abi) noexcept { return abi >= 4; }

uint64_t handled_net(int abi) noexcept {
  return supports_net(abi) ? (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP) : 0;
}

uint64_t supported_scopes(int abi) noexcept {
  return abi >= 6 ? (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL) : 0;
}

std::vector<std::string> fs_right_names(uint64_t mask) { return names_of(mask, kFsRights); }
std::vector<std::string> net_right_names(uint64_t mask) { return names_of(mask, kNetRights); }
std::vector<std::string> scope_names(uint64_t mask) { return names_of(mask, kScopes); }

}  // namespace sbx::landlock
