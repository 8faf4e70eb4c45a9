#include "cli/option_parser.h"

#include <algorithm>
#include <vector>

namespace sbx::cli {
namespace {

const OptionSpec* find_long(std::span<const OptionSpec> specs, std::string_view name) {
  for (const auto& spec : specs) {
    if (spec.long_name == name) return &spec;
  }
  return nullptr;
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char name) {
  for (const auto& spec : specs) {
    if (spec.short_name != 0 && spec.short_name == name) return &spec;
  }
  return nullptr;
}

// Levenshtein distance: one letter added, dropped or changed costs 1.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The one long option a mistyped or shortened name most likely meant: within two edits, or the
// only option it begins. Names still match exactly: this only words the error.
std::string did_you_mean(std::span<const OptionSpec> specs, std::string_view name) {
  const OptionSpec* best = nullptr;
  size_t best_distance = 3;
  bool tie = false;
  const OptionSpec* prefixed = nullptr;
  size_t prefixed_count = 0;
  for (const auto& spec : specs) {
    const std::string_view candidate = spec.long_name;
    if (candidate.empty()) continue;
    if (name.size() >= 2 && candidate.starts_with(name)) {
      prefixed = &spec;
      ++prefixed_count;
    }
    const size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best = &spec;
      best_distance = d;
      tie = false;
    } else if (d == best_distance) {
      tie = true;
    }
  }
  // Two edits of a three-letter name could be anything.
  if (best != nullptr && !tie && best_distance * 2 < name.size()) return "did you mean --" + std::string(best->long_name) + "? ";
  if (prefixed_count == 1) return "did you mean --" + std::string(prefixed->long_name) + "? ";
  return "";
}

Status apply(const OptionSpec& spec, std::string_view spelled, std::string_view value) {
  if (auto status = spec.apply(value); !status) {
    return std::move(status).error().context(std::string(spelled));
  }
  return {};
}

}  // namespace

Result<size_t> parse_options(std::span<const std::string> args, std::span<const OptionSpec> specs) {
  size_t i = 0;
  while (i < args.size()) {
    const std::string& arg = args[i];
    if (arg == "--") return i + 1;
    if (arg.size() < 2 || arg[0] != '-') return i;  // first operand ("-" alone is an operand)

    if (arg[1] == '-') {
      const std::string_view body = std::string_view(arg).substr(2);
      const size_t eq = body.find('=');
      const std::string_view name = body.substr(0, eq);
      const OptionSpec* spec = find_long(specs, name);
      if (spec == nullptr) {
        return make_error("unknown option --" + std::string(name) + " (" + did_you_mean(specs, name) + "see --help)");
      }
      const std::string spelled = "--" + std::string(name);
      if (!spec->takes_value) {
        if (eq != std::string_view::npos) return make_error(spelled + " takes no value");
        SBX_RETURN_IF_ERROR(apply(*spec, spelled, ""));
        ++i;
        continue;
      }
      if (eq != std::string_view::npos) {
        SBX_RETURN_IF_ERROR(apply(*spec, spelled, body.substr(eq + 1)));
        ++i;
        continue;
      }
      if (i + 1 >= args.size()) {
        return make_error(spelled + " needs a value: " + spelled + " " + std::string(spec->value_name));
      }
      SBX_RETURN_IF_ERROR(apply(*spec, spelled, args[i + 1]));
      i += 2;
      continue;
    }

    // Short options: "-q", "-vq" bundles of flags, "-eFOO=1" or "-e FOO=1" for a value.
    for (size_t j = 1; j < arg.size(); ++j) {
      const OptionSpec* spec = find_short(specs, arg[j]);
      const std::string spelled = std::string("-") + arg[j];
      if (spec == nullptr) return make_error("unknown option " + spelled + " (see --help)");
      if (!spec->takes_value) {
        SBX_RETURN_IF_ERROR(apply(*spec, spelled, ""));
        continue;
      }
      if (j + 1 < arg.size()) {
        SBX_RETURN_IF_ERROR(apply(*spec, spelled, std::string_view(arg).substr(j + 1)));
      } else if (i + 1 < args.size()) {
        SBX_RETURN_IF_ERROR(apply(*spec, spelled, args[i + 1]));
        ++i;
      } else {
        return make_error(spelled + " needs a value: " + spelled + " " + std::string(spec->value_name));
      }
      break;
    }
    ++i;
  }
  return i;
}

std::string format_option_help(std::span<const OptionSpec> specs) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const auto& spec : specs) {
    std::string l = spec.short_name != 0 ? std::string("  -") + spec.short_name + ", " : "      ";
    l += "--" + std::string(spec.long_name);
    if (spec.takes_value) l += " " + std::string(spec.value_name);
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (size_t k = 0; k < specs.size(); ++k) {
    out += left[k] + std::string(width - left[k].size() + 2, ' ') + std::string(specs[k].help) + "\n";
  }
  return out;
}

}  // namespace sbx::cli
