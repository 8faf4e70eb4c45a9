#include "redact/automaton.h"

#include <algorithm>
#include <array>

#include "redact/wipe.h"

namespace sbx::redact {

Automaton::Builder::Builder() : nodes_(1) {}

Automaton::Builder::~Builder() { wipe(nodes_); }

uint32_t Automaton::Builder::add(std::string_view pattern) {
  uint32_t node = kRoot;
  for (char c : pattern) {
    const auto byte = static_cast<uint8_t>(c);
    uint32_t child = nodes_[node].first_child;
    while (child != kNone && nodes_[child].byte != byte) child = nodes_[child].next_sibling;
    if (child == kNone) {
      child = static_cast<uint32_t>(nodes_.size());
      Node fresh;
      fresh.byte = byte;
      fresh.next_sibling = nodes_[node].first_child;
      nodes_.push_back(fresh);
      nodes_[node].first_child = child;
    }
    node = child;
  }
  if (nodes_[node].pattern == kNone) {
    nodes_[node].pattern = static_cast<uint32_t>(pattern_length_.size());
    pattern_length_.push_back(static_cast<uint32_t>(pattern.size()));
  }
  return nodes_[node].pattern;
}

Automaton Automaton::Builder::build() && {
  Automaton a;
  const size_t n = nodes_.size();
  a.pattern_count_ = pattern_length_.size();
  for (uint32_t len : pattern_length_) a.longest_ = std::max<size_t>(a.longest_, len);

  // Renumber states breadth-first, so every state's failure target (always shallower) has a
  // smaller number, and lay the trie edges out contiguously per state in that order.
  std::vector<uint32_t> order;  // new number -> builder node
  order.reserve(n);
  order.push_back(kRoot);
  a.edge_begin_.reserve(n + 1);
  a.edge_byte_.reserve(n - 1);
  a.edge_target_.reserve(n - 1);
  a.depth_.assign(n, 0);
  a.terminal_.assign(n, kNone);
  std::vector<std::pair<uint8_t, uint32_t>> children;
  for (uint32_t s = 0; s < n; ++s) {
    const Node& node = nodes_[order[s]];
    a.terminal_[s] = node.pattern;
    a.edge_begin_.push_back(static_cast<uint32_t>(a.edge_byte_.size()));
    children.clear();
    for (uint32_t c = node.first_child; c != kNone; c = nodes_[c].next_sibling) {
      children.emplace_back(nodes_[c].byte, c);
    }
    std::sort(children.begin(), children.end());
    for (const auto& [byte, child] : children) {
      const auto id = static_cast<uint32_t>(order.size());
      order.push_back(child);
      a.depth_[id] = a.depth_[s] + 1;
      a.edge_byte_.push_back(byte);
      a.edge_target_.push_back(id);
    }
  }
  a.edge_begin_.push_back(static_cast<uint32_t>(a.edge_byte_.size()));
  wipe(children);

  // Bytes that occur in no pattern all behave alike (back to the root), so they share class 0;
  // every other byte gets a class of its own. At most 256 classes in all.
  std::array<bool, 256> used{};
  for (uint8_t b : a.edge_byte_) used[b] = true;
  const bool any_unused = std::find(used.begin(), used.end(), false) != used.end();
  uint32_t next_class = any_unused ? 1 : 0;
  for (int b = 0; b < 256; ++b) {
    a.byte_class_[b] = used[b] ? static_cast<uint8_t>(next_class++) : 0;
  }
  a.classes_ = std::max<uint32_t>(next_class, 1);
  a.dense_states_ = static_cast<uint32_t>(
      std::clamp<size_t>(kDenseBudgetBytes / (sizeof(uint32_t) * a.classes_), 1, n));
  a.dense_.assign(size_t{a.dense_states_} * a.classes_, kRoot);

  // Failure links, dictionary links and dense rows, in breadth-first order. The dense row of a
  // state is its failure target's row with its own edges written over it.
  a.fail_.assign(n, kRoot);
  a.dict_.assign(n, kNone);
  a.output_.assign(n, kNone);
  a.open_depth_.assign(n, 0);
  for (uint32_t s = 0; s < n; ++s) {
    const bool has_edges = a.edge_begin_[s] < a.edge_begin_[s + 1];
    if (s != kRoot) a.open_depth_[s] = has_edges ? a.depth_[s] : a.open_depth_[a.fail_[s]];
    if (s < a.dense_states_) {
      uint32_t* row = &a.dense_[size_t{s} * a.classes_];
      if (s != kRoot) std::copy_n(&a.dense_[size_t{a.fail_[s]} * a.classes_], a.classes_, row);
      for (uint32_t e = a.edge_begin_[s]; e < a.edge_begin_[s + 1]; ++e) {
        row[a.byte_class_[a.edge_byte_[e]]] = a.edge_target_[e];
      }
    }
    for (uint32_t e = a.edge_begin_[s]; e < a.edge_begin_[s + 1]; ++e) {
      const uint32_t t = a.edge_target_[e];
      const uint32_t f = s == kRoot ? kRoot : a.next(a.fail_[s], a.edge_byte_[e]);
      a.fail_[t] = f;
      a.dict_[t] = a.terminal_[f] != kNone ? f : a.dict_[f];
      a.output_[t] = a.terminal_[t] != kNone ? t : a.dict_[t];
    }
  }
  return a;
}

Automaton::~Automaton() {
  wipe(dense_);
  wipe(edge_byte_);
}

size_t Automaton::memory_bytes() const {
  return sizeof(*this) +
         4 * (dense_.capacity() + edge_begin_.capacity() + edge_target_.capacity() +
              fail_.capacity() + depth_.capacity() + terminal_.capacity() + dict_.capacity() +
              output_.capacity() + open_depth_.capacity()) +
         edge_byte_.capacity();
}

}  // namespace sbx::redact
