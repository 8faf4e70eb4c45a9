// Internal to the policy loader: a YAML node together with where it is (file, line, column,
// path in the document), so every error can say "strict.yaml:12:15: filesystem.mounts[2].target: ...".
// Only the loader's .cc files include this (yaml-cpp stays out of every other header).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sbx::policy::detail {

// 1-based line and column in the file.
struct Position {
  int line = 1;
  int column = 1;
};

// Where `node` starts, or `fallback` when yaml-cpp does not know.
Position position_of(const YAML::Node& node, Position fallback);

class Cursor {
 public:
  // `at` is where the node is, or for an empty value, where its key is (yaml-cpp places an
  // empty value on the line after its key).
  Cursor(YAML::Node node, std::string path, const std::string& file, Position at)
      : node_(std::move(node)), path_(std::move(path)), file_(&file), at_(at) {}

  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  int line() const { return at_.line; }
  // "strict.yaml:12:15: filesystem.mounts[2]"
  std::string where() const;
  Error error(std::string_view message) const;

  bool is_null() const { return node_.IsNull(); }
  // A null value or the word "none": the optional field is unset.
  bool is_none() const { return is_null() || (node_.IsScalar() && node_.Scalar() == "none"); }

  // Any scalar, as written. Mappings, sequences and empty values are errors.
  Result<std::string> scalar() const;
  // true or false (YAML 1.1's yes/no/on/off are refused: they surprise people).
  Result<bool> boolean() const;
  // A whole number from 0 to `max`.
  Result<uint64_t> whole_number(uint64_t max) const;
  // One of `choices`.
  Result<std::string> one_of(std::initializer_list<std::string_view> choices) const;

  // The entries of a mapping in file order; duplicate keys, and keys not in `known` unless it
  // is empty, are errors. A null value (an empty section) is an empty mapping.
  Result<std::vector<std::pair<std::string, Cursor>>> entries(std::span<const std::string_view> known) const;
  // The items of a sequence, with paths "path[i]". A null value is an empty sequence.
  Result<std::vector<Cursor>> items() const;

 private:
  Status expect(YAML::NodeType::value type, std::string_view what) const;

  YAML::Node node_;
  std::string path_;
  const std::string* file_;
  Position at_;
  int key_line_ = 0;  // for a mapping value: the line of its key
};

// The cursor for a document's root.
Cursor root_cursor(const YAML::Node& root, const std::string& file);

}  // namespace sbx::policy::detail
