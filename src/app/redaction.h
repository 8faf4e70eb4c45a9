// The run's secrets, as the supervisor uses them: a streaming transform per output stream, and
// whole-string redaction for what sbx itself writes (argv and errors in the verdict).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "supervisor/output_stream.h"

namespace sbx::app {

class Redaction {
 public:
  explicit Redaction(const std::vector<policy::Secret>& secrets);

  bool empty() const { return secrets_.empty(); }
  std::string text(const std::string& s) const;
  // Null when there is nothing to redact.
  std::unique_ptr<supervisor::StreamTransform> stream_transform() const;

 private:
  std::vector<policy::Secret> secrets_;
};

}  // namespace sbx::app
