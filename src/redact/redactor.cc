#include <algorithm>
#include <numeric>

#include "redact/redact.h"
#include "redact/wipe.h"

// How the stream is decided. Stream offsets are absolute (uint64_t). The automaton runs over
// every byte (or skips, see scan()) and reports each occurrence when its last byte is read; it
// becomes a Cover. Offset x is *decided* once no occurrence still unreported can cover it: an
// unreported occurrence is a pattern whose beginning is the input's current tail, and the
// automaton's open_depth is the longest such tail, so everything before scanned - open_depth is
// decided (open_depth < longest pattern: the holdback bound). resolve() then walks the cursor over
// the decided bytes: plain input is emitted, and at the first byte inside a Cover the one reaching
// furthest is replaced by its marker and the cursor jumps to its end.

namespace sbx::redact {

Redactor::Redactor(std::shared_ptr<const SecretSet> secrets)
    : set_(std::move(secrets)), counts_(set_->names_.size(), 0) {}

Redactor::~Redactor() { wipe(pending_); }

uint64_t Redactor::total_redactions() const {
  return std::accumulate(counts_.begin(), counts_.end(), uint64_t{0});
}

std::span<const std::byte> Redactor::feed(std::span<const std::byte> input) {
  out_.clear();
  direct_size_ = 0;
  chunk_ = input.data();
  chunk_base_ = scanned_;
  scan(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  scanned_ = chunk_base_ + input.size();
  resolve(scanned_ - set_->automaton_.open_depth(state_));
  keep_undecided_input(input.size());
  chunk_ = nullptr;
  if (out_.empty()) return input.first(direct_size_);
  return out_;
}

std::span<const std::byte> Redactor::finish() {
  out_.clear();
  direct_size_ = 0;
  chunk_base_ = scanned_;
  resolve(scanned_);  // no more input: every byte is decided
  wipe(pending_);
  pending_.clear();
  pending_base_ = cursor_;
  covers_.clear();
  state_ = Automaton::kRoot;
  return out_;
}

// Runs the automaton over the chunk. From the root state it lets the prefilter skip positions
// where no pattern starts: such bytes cannot be part of an occurrence, so the state after them
// is, for every occurrence still possible, the root again. The same argument resets a deeper
// state to the root once the prefilter has cleared every position its open depth spans.
void Redactor::scan(const uint8_t* data, size_t size) {
  const Automaton& ac = set_->automaton_;
  const Prefilter& filter = set_->prefilter_;
  // Positions that can be tested: kLoad bytes readable from there.
  const size_t testable = size >= Prefilter::kLoad ? size - (Prefilter::kLoad - 1) : 0;
  const size_t reach = filter.stride() - 1;  // a test at x + reach clears x
  // Positions before this one are not cleared (earlier chunks' tails never are).
  uint64_t uncleared_end = chunk_base_;
  uint32_t state = state_;
  size_t i = 0;
  while (i < size) {
    if (state == Automaton::kRoot) {
      i = filter.skip(data, i, testable);
      if (i >= size) break;
    }
    const uint64_t pos = chunk_base_ + i;
    if (i + reach >= testable || filter.may_start_near(data + i + reach)) uncleared_end = pos + 1;
    const uint32_t open_before = ac.open_depth(state);
    state = ac.next(state, data[i]);
    ++i;
    if (ac.has_output(state)) record_outputs(state, pos + 1, open_before);
    if (uncleared_end + ac.open_depth(state) <= pos + 1) state = Automaton::kRoot;
  }
  state_ = state;
}

void Redactor::record_outputs(uint32_t state, uint64_t end, uint32_t open_before) {
  const Automaton& ac = set_->automaton_;
  // Decide what the previous byte made decidable first, so Covers only span the last
  // longest_pattern() offsets.
  resolve(end - 1 - open_before);
  for (uint32_t o = ac.first_output(state); o != Automaton::kNone; o = ac.next_output(o)) {
    record(end - ac.depth(o), end, ac.pattern_at(o));
  }
}

void Redactor::record(uint64_t start, uint64_t end, uint32_t pattern) {
  if (end <= cursor_) return;  // wholly inside an occurrence already replaced
  const Cover cover{std::max(start, cursor_), start, end, pattern};
  auto it = covers_.end();
  while (it != covers_.begin() && std::prev(it)->key >= cover.key) --it;
  if (it != covers_.end() && it->key == cover.key) {
    if (cover.end > it->end || (cover.end == it->end && cover.start < it->start)) *it = cover;
  } else {
    covers_.insert(it, cover);
  }
}

void Redactor::resolve(uint64_t upto) {
  while (cursor_ < upto) {
    if (covers_.empty() || covers_.front().key >= upto) {
      emit_input(cursor_, upto);
      cursor_ = upto;
      break;
    }
    const Cover cover = covers_.front();
    emit_input(cursor_, cover.key);
    const uint32_t name = set_->pattern_name_[cover.pattern];
    const std::string& marker = set_->markers_[name];
    const auto* m = reinterpret_cast<const std::byte*>(marker.data());
    copy_direct_output();
    out_.insert(out_.end(), m, m + marker.size());
    ++counts_[name];
    cursor_ = cover.end;
    covers_.erase(covers_.begin());
    carry_covers_to_cursor();
  }
}

// After a replacement, Covers the cursor jumped into continue from the cursor (the best one
// wins, as in record()); those it jumped over are dropped.
void Redactor::carry_covers_to_cursor() {
  auto behind = covers_.begin();
  while (behind != covers_.end() && behind->key < cursor_) ++behind;
  if (behind == covers_.begin()) return;
  const Cover* best = nullptr;
  for (auto it = covers_.begin(); it != behind; ++it) {
    if (it->end <= cursor_) continue;
    if (!best || it->end > best->end || (it->end == best->end && it->start < best->start)) {
      best = &*it;
    }
  }
  const bool carried = best != nullptr;
  const Cover carry = carried ? *best : Cover{};
  covers_.erase(covers_.begin(), behind);
  if (carried) record(carry.start, carry.end, carry.pattern);
}

void Redactor::emit_input(uint64_t from, uint64_t to) {
  if (from >= to) return;
  if (from < chunk_base_) {
    const auto* p = pending_.data() + (from - pending_base_);
    const uint64_t stop = std::min(to, chunk_base_);
    out_.insert(out_.end(), p, p + (stop - from));
    from = stop;
  }
  if (from >= to) return;
  if (out_.empty() && from == chunk_base_ + direct_size_) {
    direct_size_ = to - chunk_base_;  // still a prefix of the input: no copy
    return;
  }
  copy_direct_output();
  const std::byte* p = chunk_ + (from - chunk_base_);
  out_.insert(out_.end(), p, p + (to - from));
}

void Redactor::copy_direct_output() {
  if (direct_size_ == 0) return;
  out_.insert(out_.begin(), chunk_, chunk_ + direct_size_);
  direct_size_ = 0;
}

// Keeps input offsets [cursor_, scanned_) for the next call.
void Redactor::keep_undecided_input(size_t chunk_size) {
  if (cursor_ >= chunk_base_) {
    const std::byte* from = chunk_ + (cursor_ - chunk_base_);
    wipe(pending_);
    pending_.assign(from, chunk_ + chunk_size);
  } else {
    const auto drop = static_cast<std::ptrdiff_t>(cursor_ - pending_base_);
    std::fill_n(pending_.begin(), drop, std::byte{0});
    pending_.erase(pending_.begin(), pending_.begin() + drop);
    pending_.insert(pending_.end(), chunk_, chunk_ + chunk_size);
  }
  pending_base_ = cursor_;
}

}  // namespace sbx::redact
