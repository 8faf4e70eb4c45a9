#include <algorithm>
#include <string>

#include "redact/redact.h"
#include "redact/wipe.h"

namespace sbx::redact {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return c > ' ' && c < 0x7f && c != '[' && c != ']'; });
}

// Error text names the secret by position and name; never by value. An invalid name is not
// repeated either: it may be a value typed into the wrong field.
Status validate(std::span<const Secret> secrets) {
  for (size_t i = 0; i < secrets.size(); ++i) {
    const Secret& s = secrets[i];
    const std::string where = "secrets[" + std::to_string(i) + "]";
    if (!valid_name(s.name)) {
      return make_error(where + ": name must be 1 to " + std::to_string(kMaxNameBytes) +
                        " printable ASCII characters without spaces, '[' or ']'");
    }
    const std::string which = where + " (" + s.name + ")";
    if (s.value.size() < kMinSecretBytes) {
      return make_error(which + ": value is shorter than " + std::to_string(kMinSecretBytes) +
                        " bytes; values that short would redact ordinary output");
    }
    if (s.value.size() > kMaxSecretBytes) {
      return make_error(which + ": value is longer than " + std::to_string(kMaxSecretBytes) +
                        " bytes");
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const SecretSet>> SecretSet::compile(std::span<const Secret> secrets,
                                                            const Encodings& forms) {
  SBX_RETURN_IF_ERROR(validate(secrets));
  std::shared_ptr<SecretSet> set(new SecretSet());

  std::vector<uint32_t> name_of(secrets.size());
  for (size_t i = 0; i < secrets.size(); ++i) {
    const auto it = std::find(set->names_.begin(), set->names_.end(), secrets[i].name);
    name_of[i] = static_cast<uint32_t>(it - set->names_.begin());
    if (it == set->names_.end()) set->names_.push_back(secrets[i].name);
  }

  // Raw values first, so a byte string that is one secret's value and another's encoded form
  // is reported under the secret whose value it is.
  Automaton::Builder builder;
  std::vector<std::string_view> patterns;
  size_t shortest = kMaxSecretBytes;
  auto add = [&](std::string_view pattern, uint32_t name) {
    const uint32_t id = builder.add(pattern);
    if (id == set->pattern_name_.size()) {
      set->pattern_name_.push_back(name);
      patterns.push_back(pattern);
      shortest = std::min(shortest, pattern.size());
    }
  };
  for (size_t i = 0; i < secrets.size(); ++i) add(secrets[i].value, name_of[i]);
  WipedStrings encoded;
  for (size_t i = 0; i < secrets.size(); ++i) {
    const size_t first = encoded.size();
    append_encoded_forms(secrets[i].value, forms, encoded);
    for (size_t j = first; j < encoded.size(); ++j) add(encoded.items()[j], name_of[i]);
  }
  // Every form is at least as long as the raw value, so `shortest` >= kMinSecretBytes.
  if (!patterns.empty()) set->prefilter_ = Prefilter(patterns, shortest);
  set->automaton_ = std::move(builder).build();

  // A marker must not print what it stands in for: run every marker through the automaton.
  // The error cannot quote the name, which holds a secret; it points at the list entries.
  auto first_listed = [&](uint32_t name) {
    return "secrets[" +
           std::to_string(std::find(name_of.begin(), name_of.end(), name) - name_of.begin()) + "]";
  };
  for (uint32_t n = 0; n < set->names_.size(); ++n) {
    std::string marker = "[REDACTED:" + set->names_[n] + "]";
    uint32_t state = Automaton::kRoot;
    for (char c : marker) {
      state = set->automaton_.next(state, static_cast<uint8_t>(c));
      if (set->automaton_.has_output(state)) {
        const uint32_t pattern = set->automaton_.pattern_at(set->automaton_.first_output(state));
        return make_error(first_listed(n) + ": the name contains the value of " +
                          first_listed(set->pattern_name_[pattern]) +
                          " or an encoding of it; rename it");
      }
    }
    set->markers_.push_back(std::move(marker));
  }
  return std::shared_ptr<const SecretSet>(std::move(set));
}

size_t SecretSet::memory_bytes() const {
  size_t bytes = sizeof(*this) + automaton_.memory_bytes() + prefilter_.memory_bytes() +
                 pattern_name_.capacity() * sizeof(uint32_t);
  for (const std::string& s : names_) bytes += s.capacity();
  for (const std::string& s : markers_) bytes += s.capacity();
  return bytes;
}

}  // namespace sbx::redact
