#include "policy/yaml_cursor.h"

namespace sbx::policy::detail {
namespace {

const char* type_name(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "an empty value";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: return "nothing";
  }
  return "something else";
}


std::string quoted(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string shown(text.substr(0, kMax));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  return "\"" + shown + (text.size() > kMax ? "...\"" : "\"");
}

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

}  // namespace

Position position_of(const YAML::Node& node, Position fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : Position{mark.line + 1, mark.column + 1};
}

std::string Cursor::where() const {
  std::string out = *file_ + ":" + std::to_string(at_.line) + ":" + std::to_string(at_.column);
  if (!path_.empty()) out += ": " + path_;
  return out;
}

Error Cursor::error(std::string_view message) const { return make_error(where() + ": " + std::string(message)); }

Status Cursor::expect(YAML::NodeType::value type, std::string_view what) const {
  if (node_.Type() == type) return {};
  std::string got = type_name(node_);
  if (node_.IsScalar()) got += " (" + quoted(node_.Scalar()) + ")";
  return error("expected " + std::string(what) + ", got " + got);
}

Result<std::string> Cursor::scalar() const {
  SBX_RETURN_IF_ERROR(expect(YAML::NodeType::Scalar, "a single value"));
  return node_.Scalar();
}

Result<bool> Cursor::boolean() const {
  SBX_RETURN_IF_ERROR(expect(YAML::NodeType::Scalar, "true or false"));
  const std::string& s = node_.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return error("expected true or false, got " + quoted(s));
}

Result<uint64_t> Cursor::whole_number(uint64_t max) const {
  SBX_RETURN_IF_ERROR(expect(YAML::NodeType::Scalar, "a whole number"));
  const std::string& s = node_.Scalar();
  uint64_t value = 0;
  bool ok = !s.empty() && s.size() <= 20;
  for (char c : s) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    const auto digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      ok = false;
      break;
    }
    value = value * 10 + digit;
  }
  if (!ok || value > max) {
    return error("expected a whole number from 0 to " + std::to_string(max) + ", got " + quoted(s));
  }
  return value;
}

Result<std::string> Cursor::one_of(std::initializer_list<std::string_view> choices) const {
  const std::span<const std::string_view> list(choices.begin(), choices.size());
  if (!node_.IsScalar()) SBX_RETURN_IF_ERROR(expect(YAML::NodeType::Scalar, "one of " + join(list)));
  for (auto choice : choices) {
    if (node_.Scalar() == choice) return node_.Scalar();
  }
  return error("expected one of " + join(list) + ", got " + quoted(node_.Scalar()));
}

Result<std::vector<std::pair<std::string, Cursor>>> Cursor::entries(std::span<const std::string_view> known) const {
  std::vector<std::pair<std::string, Cursor>> out;
  if (node_.IsNull()) return out;
  SBX_RETURN_IF_ERROR(expect(YAML::NodeType::Map, "a mapping (key: value lines)"));
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const Position key_at = position_of(it->first, at_);
    const std::string key_path_prefix = path_.empty() ? "" : path_ + ".";
    if (!it->first.IsScalar()) {
      return Cursor(it->first, path_, *file_, key_at).error("a key must be a plain name, got " +
                                                               std::string(type_name(it->first)));
    }
    const std::string& key = it->first.Scalar();
    const Cursor key_cursor(it->first, key_path_prefix + key, *file_, key_at);
    if (!known.empty()) {
      bool found = false;
      for (auto k : known) found = found || k == key;
      if (!found) return key_cursor.error("unknown key " + quoted(key) + " (known: " + join(known) + ")");
    }
    for (const auto& [seen, cursor] : out) {
      if (seen == key) {
        return key_cursor.error("duplicate key (first given on line " + std::to_string(cursor.key_line_) + ")");
      }
    }
    // An empty value has no position of its own: report it on its key's line.
    const Position value_at = it->second.IsNull() ? key_at : position_of(it->second, key_at);
    Cursor value(it->second, key_path_prefix + key, *file_, value_at);
    value.key_line_ = key_at.line;
    out.emplace_back(key, std::move(value));
  }
  return out;
}

Result<std::vector<Cursor>> Cursor::items() const {
  std::vector<Cursor> out;
  if (node_.IsNull()) return out;
  SBX_RETURN_IF_ERROR(expect(YAML::NodeType::Sequence, "a list"));
  size_t i = 0;
  for (auto it = node_.begin(); it != node_.end(); ++it, ++i) {
    out.emplace_back(*it, path_ + "[" + std::to_string(i) + "]", *file_, position_of(*it, at_));
  }
  return out;
}

Cursor root_cursor(const YAML::Node& root, const std::string& file) { return Cursor(root, "", file, position_of(root, {})); }

}  // namespace sbx::policy::detail
