#include "base/accounts.h"

#include <charconv>
#include <chrono>
#include <vector>

#include "base/command_output.h"

namespace sbx {
namespace {

// getent answers from local files in microseconds; a directory service may take longer.
constexpr std::chrono::milliseconds kLookupLimit{10000};

std::optional<AccountEntry> getent(const char* database, const std::string& key) {
  // A key getent would read as an option, or that is not one name, matches nothing.
  if (key.empty() || key[0] == '-' || key.find_first_of(":\n") != std::string::npos) return std::nullopt;
  auto run = run_command({"getent", database, key}, kLookupLimit);
  if (!run || run->exit_code != 0) return std::nullopt;
  return parse_account_line(run->out.substr(0, run->out.find('\n')));
}

}  // namespace

std::optional<AccountEntry> parse_account_line(std::string_view line) {
  const size_t name_end = line.find(':');
  if (name_end == std::string_view::npos || name_end == 0) return std::nullopt;
  const size_t id_start = line.find(':', name_end + 1);
  if (id_start == std::string_view::npos) return std::nullopt;
  const std::string_view rest = line.substr(id_start + 1);
  const std::string_view id_text = rest.substr(0, rest.find(':'));
  AccountEntry entry;
  entry.name = std::string(line.substr(0, name_end));
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), entry.id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id_text.empty()) return std::nullopt;
  if (entry.id > 0xffffffffUL) return std::nullopt;  // uid_t and gid_t are 32 bits
  return entry;
}

std::optional<uid_t> user_id(const std::string& name) {
  auto entry = getent("passwd", name);
  if (!entry || entry->name != name) return std::nullopt;
  return static_cast<uid_t>(entry->id);
}

std::optional<gid_t> group_id(const std::string& name) {
  auto entry = getent("group", name);
  if (!entry || entry->name != name) return std::nullopt;
  return static_cast<gid_t>(entry->id);
}

std::optional<std::string> user_name(uid_t uid) {
  auto entry = getent("passwd", std::to_string(uid));
  if (!entry || entry->id != uid) return std::nullopt;
  return entry->name;
}

}  // namespace sbx
