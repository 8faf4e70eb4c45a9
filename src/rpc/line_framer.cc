#include "rpc/line_framer.h"

namespace sbx::rpc {
namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

void LineFramer::complete(std::vector<Frame>& out) {
  if (discarding_) {
    Frame f;
    f.oversized = true;
    f.bytes = discarded_;
    out.push_back(std::move(f));
    discarding_ = false;
    discarded_ = 0;
    return;
  }
  if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
  if (!blank(partial_)) {
    Frame f;
    f.bytes = partial_.size();
    f.line = std::move(partial_);
    out.push_back(std::move(f));
  }
  partial_.clear();
}

void LineFramer::feed(std::string_view data, std::vector<Frame>& out) {
  while (!data.empty()) {
    const size_t nl = data.find('\n');
    const std::string_view piece = data.substr(0, nl);
    if (discarding_) {
      discarded_ += piece.size();
    } else if (partial_.size() + piece.size() > max_) {
      // Keep nothing of it: memory stays bounded by the limit whatever the peer sends.
      discarding_ = true;
      discarded_ = partial_.size() + piece.size();
      partial_.clear();
      partial_.shrink_to_fit();
    } else {
      partial_.append(piece);
    }
    if (nl == std::string_view::npos) return;
    complete(out);
    data.remove_prefix(nl + 1);
  }
}

std::optional<Frame> LineFramer::finish() {
  if (!discarding_ && blank(partial_)) {
    partial_.clear();
    return std::nullopt;
  }
  std::vector<Frame> out;
  complete(out);
  if (out.empty()) return std::nullopt;
  return std::move(out.front());
}

}  // namespace sbx::rpc
