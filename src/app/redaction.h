// The run's secrets, as the supervisor uses them: a streaming transform per output stream, and
// whole-string redaction for what sbx itself writes (argv and errors in the verdict). The
// patterns (each secret and its common encodings) are compiled once and shared.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "policy/policy.h"
#include "supervisor/output_stream.h"

namespace sbx::redact {
class SecretSet;
}

namespace sbx::app {

class Redaction {
 public:
  // Errors name the secret, never its value.
  static Result<Redaction> compile(const std::vector<policy::Secret>& secrets);

  bool empty() const { return set_ == nullptr; }
  std::string text(const std::string& s) const;
  // Null when there is nothing to redact.
  std::unique_ptr<supervisor::StreamTransform> stream_transform() const;

 private:
  std::shared_ptr<const redact::SecretSet> set_;
};

}  // namespace sbx::app
