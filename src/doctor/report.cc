#include <algorithm>
#include <string>
#include <string_view>

#include "doctor/doctor.h"

namespace sbx::doctor {

const char* level_name(Level level) {
  switch (level) {
    case Level::kOk:
      return "ok";
    case Level::kWarn:
      return "warn";
    case Level::kMissing:
      return "missing";
  }
  return "missing";  // unreachable for valid enumerators; fail towards "not usable"
}

bool Report::usable() const {
  return std::none_of(checks.begin(), checks.end(),
                      [](const Check& c) { return c.level == Level::kMissing; });
}

std::string render_text(const Report& report) {
  size_t status_width = 0;
  size_t title_width = 0;
  size_t warnings = 0;
  size_t missing = 0;
  for (const Check& c : report.checks) {
    status_width = std::max(status_width, std::string_view(level_name(c.level)).size());
    title_width = std::max(title_width, c.title.size());
    if (c.level == Level::kWarn) ++warnings;
    if (c.level == Level::kMissing) ++missing;
  }
  constexpr size_t kGap = 2;
  // "fix:" lines start under the title column, so the eye finds them below their row.
  const std::string indent(status_width + kGap, ' ');

  std::string out;
  for (const Check& c : report.checks) {
    std::string status = level_name(c.level);
    status.resize(status_width + kGap, ' ');
    std::string title = c.title;
    title.resize(title_width + kGap, ' ');
    out += status + title + c.detail + "\n";
    if (c.level != Level::kOk && !c.fix.empty()) out += indent + "fix: " + c.fix + "\n";
  }
  const auto plural = [](size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  if (report.usable()) {
    out += "verdict: usable: sbx exec can run on this host (" + plural(warnings, "warning") + ")\n";
  } else {
    out += "verdict: not usable: sbx exec cannot run on this host until the " +
           plural(missing, "missing check") + " above " + (missing == 1 ? "is" : "are") +
           " fixed\n";
  }
  return out;
}

nlohmann::ordered_json render_json(const Report& report) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const Check& c : report.checks) {
    checks.push_back({{"id", c.id},
                      {"title", c.title},
                      {"status", level_name(c.level)},
                      {"detail", c.detail},
                      {"fix", c.fix}});
  }
  return {{"sbx_version", SBX_VERSION}, {"usable", report.usable()}, {"checks", std::move(checks)}};
}

}  // namespace sbx::doctor
