#include <cstring>
#include <string>

#include "doctor/probes.h"

namespace sbx::doctor {

std::string errno_label(int err) {
  const char* name = ::strerrorname_np(err);
  const std::string text = std::strerror(err);
  if (name == nullptr) return "errno " + std::to_string(err) + " (" + text + ")";
  return std::string(name) + " (" + text + ")";
}

}  // namespace sbx::doctor
