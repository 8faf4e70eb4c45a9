#include "rlimits/names.h"

#include <sys/resource.h>

#include <array>
#include <vector>

#include "base/units.h"

namespace sbx::rlimits {
namespace {

struct Entry {
  std::string_view name;
  int resource;
  bool bytes;  // accepts size suffixes
};

constexpr std::array<Entry, 16> kEntries{{
    {"as", RLIMIT_AS, true},
    {"core", RLIMIT_CORE, true},
    {"cpu", RLIMIT_CPU, false},
    {"data", RLIMIT_DATA, true},
    {"fsize", RLIMIT_FSIZE, true},
    {"locks", RLIMIT_LOCKS, false},
    {"memlock", RLIMIT_MEMLOCK, true},
    {"msgqueue", RLIMIT_MSGQUEUE, true},
    {"nice", RLIMIT_NICE, false},
    {"nofile", RLIMIT_NOFILE, false},
    {"nproc", RLIMIT_NPROC, false},
    {"rss", RLIMIT_RSS, true},
    {"rtprio", RLIMIT_RTPRIO, false},
    {"rttime", RLIMIT_RTTIME, false},
    {"sigpending", RLIMIT_SIGPENDING, false},
    {"stack", RLIMIT_STACK, true},
}};

const Entry* find(std::string_view name) {
  for (const auto& e : kEntries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

Result<uint64_t> parse_value(const Entry& entry, std::string_view text) {
  if (text == "unlimited" || text == "infinity") return static_cast<uint64_t>(RLIM_INFINITY);
  if (entry.bytes) return parse_size(text);
  return parse_uint(text);
}

}  // namespace

std::optional<int> resource_from_name(std::string_view name) {
  const Entry* e = find(name);
  if (e == nullptr) return std::nullopt;
  return e->resource;
}

const char* resource_name(int resource) {
  for (const auto& e : kEntries) {
    if (e.resource == resource) return e.name.data();
  }
  return "unknown";
}

bool counts_bytes(int resource) {
  for (const auto& e : kEntries) {
    if (e.resource == resource) return e.bytes;
  }
  return false;
}

Result<policy::Rlimit> parse_ulimit(std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos) {
    return make_error("expected NAME=SOFT[:HARD], e.g. nofile=1024:2048 (got \"" + std::string(spec) +
                      "\")");
  }
  const std::string_view name = spec.substr(0, eq);
  const Entry* entry = find(name);
  if (entry == nullptr) {
    std::string names;
    for (const auto& e : kEntries) names += (names.empty() ? "" : ", ") + std::string(e.name);
    return make_error("unknown limit \"" + std::string(name) + "\"; known: " + names);
  }
  const std::string_view values = spec.substr(eq + 1);
  const size_t colon = values.find(':');
  auto soft = parse_value(*entry, values.substr(0, colon));
  if (!soft) return std::move(soft).error().context(std::string(name) + " soft limit");
  uint64_t hard = *soft;
  if (colon != std::string_view::npos) {
    auto parsed = parse_value(*entry, values.substr(colon + 1));
    if (!parsed) return std::move(parsed).error().context(std::string(name) + " hard limit");
    hard = *parsed;
  }
  if (*soft > hard) {
    return make_error(std::string(name) + ": soft limit is above the hard limit");
  }
  return policy::Rlimit{entry->resource, *soft, hard};
}

std::vector<policy::Rlimit> default_rlimits() {
  return {{RLIMIT_CORE, 0, 0}, {RLIMIT_NOFILE, 1024, 1024}};
}

}  // namespace sbx::rlimits
