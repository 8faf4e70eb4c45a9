// A small table-driven parser for GNU-style options that stops at the first operand, as
// `docker run` and `env` do, so the sandboxed command's own flags are never touched.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx::cli {

struct OptionSpec {
  std::string_view long_name;  // without "--"
  char short_name;             // 0 when none
  bool takes_value;
  std::string_view value_name;  // for help: "HOST:GUEST[:ro|rw]"
  std::string_view help;
  // Receives the value ("" for flags). An error is reported against the option's spelling.
  std::function<Status(std::string_view value)> apply;
};

// The two most common `apply`s: keep the value, or note that the flag was given.
inline std::function<Status(std::string_view)> store_value(std::string& into) {
  return [&into](std::string_view v) -> Status {
    into = std::string(v);
    return {};
  };
}
inline std::function<Status(std::string_view)> set_flag(bool& into) {
  return [&into](std::string_view) -> Status {
    into = true;
    return {};
  };
}

// Parses options from args until the first operand (or "--", which is consumed). Returns the
// index of the first operand. Errors name the option as the user typed it.
Result<size_t> parse_options(std::span<const std::string> args, std::span<const OptionSpec> specs);

// "  -v, --volume HOST:GUEST[:ro|rw]  bind a host path ..." lines for --help.
std::string format_option_help(std::span<const OptionSpec> specs);

}  // namespace sbx::cli
