// Aho-Corasick automaton over bytes. Shallow states, where a scan spends nearly all its steps,
// have a dense row of precomputed transitions (one per byte class, failure links already
// followed); deeper states keep only their few trie edges and fall back along failure links.
// The dense rows are capped by a memory budget, so thousands of long patterns stay compact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sbx::redact {

class Automaton {
 public:
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kNone = UINT32_MAX;
  // Upper bound on memory spent on dense rows (4 bytes per state per byte class).
  static constexpr size_t kDenseBudgetBytes = size_t{1} << 20;

  class Builder {
   public:
    Builder();
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;
    ~Builder();  // erases the trie, which spells out every pattern

    // Adds `pattern` (non-empty) and returns its id. Adding the same bytes again returns the
    // first id: duplicates keep whoever came first.
    uint32_t add(std::string_view pattern);
    size_t pattern_count() const { return pattern_length_.size(); }
    Automaton build() &&;

   private:
    struct Node {
      uint32_t first_child = kNone;
      uint32_t next_sibling = kNone;
      uint32_t pattern = kNone;
      uint8_t byte = 0;
    };
    std::vector<Node> nodes_;
    std::vector<uint32_t> pattern_length_;
  };

  Automaton(Automaton&&) noexcept = default;
  Automaton& operator=(Automaton&&) noexcept = default;
  ~Automaton();  // erases the transition tables

  // The state after reading `byte` in `state`.
  uint32_t next(uint32_t state, uint8_t byte) const {
    while (state >= dense_states_) {
      for (uint32_t e = edge_begin_[state], end = edge_begin_[state + 1]; e < end; ++e) {
        if (edge_byte_[e] == byte) return edge_target_[e];
      }
      state = fail_[state];
    }
    return dense_[size_t{state} * classes_ + byte_class_[byte]];
  }

  // Length of the longest suffix of the input read so far that is a prefix of some pattern.
  uint32_t depth(uint32_t state) const { return depth_[state]; }
  // Length of the longest such suffix that is a proper prefix: the tail a later byte could still
  // turn into an occurrence. Always below longest_pattern().
  uint32_t open_depth(uint32_t state) const { return open_depth_[state]; }

  // Patterns ending at the current input position, longest first: a chain of states walked with
  // first_output/next_output; each one's pattern is pattern_at(o), its length depth(o).
  bool has_output(uint32_t state) const { return output_[state] != kNone; }
  uint32_t first_output(uint32_t state) const { return output_[state]; }
  uint32_t next_output(uint32_t output_state) const { return dict_[output_state]; }
  uint32_t pattern_at(uint32_t output_state) const { return terminal_[output_state]; }

  size_t pattern_count() const { return pattern_count_; }
  size_t state_count() const { return depth_.size(); }
  size_t dense_state_count() const { return dense_states_; }
  size_t byte_class_count() const { return classes_; }
  size_t longest_pattern() const { return longest_; }
  size_t memory_bytes() const;

 private:
  Automaton() = default;  // made by Builder::build

  uint32_t dense_states_ = 0;
  uint32_t classes_ = 1;
  size_t pattern_count_ = 0;
  size_t longest_ = 0;
  uint8_t byte_class_[256] = {};
  std::vector<uint32_t> dense_;       // dense_states_ x classes_
  std::vector<uint32_t> edge_begin_;  // per state, into edge_byte_/edge_target_ (+1 sentinel)
  std::vector<uint8_t> edge_byte_;    // trie edges of each state, sorted by byte
  std::vector<uint32_t> edge_target_;
  std::vector<uint32_t> fail_;
  std::vector<uint32_t> depth_;
  std::vector<uint32_t> open_depth_;
  std::vector<uint32_t> terminal_;  // pattern whose last byte leads here, or kNone
  std::vector<uint32_t> dict_;      // nearest proper failure ancestor with a pattern, or kNone
  std::vector<uint32_t> output_;    // the state itself if terminal, else dict_, or kNone
};

}  // namespace sbx::redact
