#include "app/redaction.h"

#include <spdlog/spdlog.h>

#include "redact/redact.h"

namespace sbx::app {
namespace {

// One output stream's redactor, behind the supervisor's transform interface.
class StreamRedactor final : public supervisor::StreamTransform {
 public:
  explicit StreamRedactor(std::shared_ptr<const redact::SecretSet> set) : set_(set), redactor_(std::move(set)) {}

  void feed(std::string_view in, std::string& out) override { append(redactor_.feed(in), out); }
  void finish(std::string& out) override { append(redactor_.finish(), out); }
  void add_counts(std::map<std::string, uint64_t>& counts) const override {
    const auto& names = set_->names();
    const auto& n = redactor_.counts();
    for (size_t i = 0; i < names.size() && i < n.size(); ++i) counts[names[i]] += n[i];
  }

 private:
  static void append(std::span<const std::byte> bytes, std::string& out) {
    out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }

  std::shared_ptr<const redact::SecretSet> set_;
  redact::Redactor redactor_;
};

}  // namespace

Result<Redaction> Redaction::compile(const std::vector<policy::Secret>& secrets) {
  Redaction r;
  if (secrets.empty()) return r;
  std::vector<redact::Secret> list;
  list.reserve(secrets.size());
  for (const auto& s : secrets) list.push_back({s.name, s.value});
  SBX_ASSIGN_OR_RETURN(r.set_, redact::SecretSet::compile(list));
  return r;
}

std::string Redaction::text(const std::string& s) const {
  if (!set_) return s;
  redact::Redactor redactor(set_);
  std::string out;
  const auto head = redactor.feed(s);
  out.append(reinterpret_cast<const char*>(head.data()), head.size());
  const auto tail = redactor.finish();
  out.append(reinterpret_cast<const char*>(tail.data()), tail.size());
  return out;
}

std::unique_ptr<supervisor::StreamTransform> Redaction::stream_transform() const {
  if (!set_) return nullptr;
  return std::make_unique<StreamRedactor>(set_);
}

}  // namespace sbx::app
