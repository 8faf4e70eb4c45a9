// TEMPORARY naive engine until src/redact lands.
#include "app/redaction.h"

namespace sbx::app {
namespace {
class Naive final : public supervisor::StreamTransform {
 public:
  explicit Naive(std::vector<policy::Secret> s) : s_(std::move(s)) {
    for (auto& x : s_) longest_ = std::max(longest_, x.value.size());
  }
  void feed(std::string_view in, std::string& out) override {
    buf_.append(in);
    scan(out, false);
  }
  void finish(std::string& out) override { scan(out, true); }
  void add_counts(std::map<std::string, uint64_t>& c) const override {
    for (auto& [k, v] : counts_) c[k] += v;
  }
 private:
  void scan(std::string& out, bool final) {
    size_t i = 0;
    while (i < buf_.size()) {
      bool hit = false;
      for (auto& x : s_) {
        if (buf_.compare(i, x.value.size(), x.value) == 0 && i + x.value.size() <= buf_.size()) {
          out += "[REDACTED:" + x.name + "]";
          counts_[x.name]++;
          i += x.value.size();
          hit = true;
          break;
        }
      }
      if (hit) continue;
      if (!final && buf_.size() - i < longest_) break;
      out += buf_[i++];
    }
    buf_.erase(0, i);
  }
  std::vector<policy::Secret> s_;
  size_t longest_ = 0;
  std::string buf_;
  std::map<std::string, uint64_t> counts_;
};
}  // namespace

Redaction::Redaction(const std::vector<policy::Secret>& secrets) : secrets_(secrets) {}

std::string Redaction::text(const std::string& s) const {
  if (secrets_.empty()) return s;
  Naive n(secrets_);
  std::string out;
  n.feed(s, out);
  n.finish(out);
  return out;
}

std::unique_ptr<supervisor::StreamTransform> Redaction::stream_transform() const {
  if (secrets_.empty()) return nullptr;
  return std::make_unique<Naive>(secrets_);
}

}  // namespace sbx::app
