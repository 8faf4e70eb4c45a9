// User and group names through the host's name service (files, LDAP, sssd, systemd-userdb):
// `getent`, because the statically linked sbx cannot load NSS modules itself.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace sbx {

// nullopt when the name is unknown (or the name service cannot be asked).
std::optional<uid_t> user_id(const std::string& name);
std::optional<gid_t> group_id(const std::string& name);
std::optional<std::string> user_name(uid_t uid);

// One "name:password:id:..." line of getent's output: the name and the id fields.
struct AccountEntry {
  std::string name;
  unsigned long id = 0;
};
std::optional<AccountEntry> parse_account_line(std::string_view line);

}  // namespace sbx
