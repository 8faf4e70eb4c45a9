// Small readers for /proc and /sys files used by the doctor probes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx::doctor {

// A sysctl-style integer file. nullopt when the file does not exist (the knob is absent on this
// kernel); an error for any other failure, including unparsable contents.
Result<std::optional<int64_t>> read_knob(const std::string& path);
// read_knob with unreadable or garbled knobs reported as absent: the doctor words what it can
// see and never guesses a value.
std::optional<int64_t> knob_or_absent(const std::string& path);

// Value of "Name:\t<value>" in /proc/self/status, trimmed; nullopt when the field is absent.
std::optional<std::string> self_status_field(std::string_view name);

// Splits on '\n', dropping empty lines.
std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace sbx::doctor
