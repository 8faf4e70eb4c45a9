// Streaming secret redaction for the supervisor's stdout/stderr pumps. Pure: no I/O, no logging.
//
// Use:
//   SBX_ASSIGN_OR_RETURN(auto secrets, redact::SecretSet::compile(list));  // once
//   redact::Redactor out(secrets), err(secrets);                          // one per stream
//   write(1, out.feed(chunk));  ...  write(1, out.finish());
//   out.counts()[i] redactions of secrets->names()[i]
//
// What is replaced. Every occurrence of a secret's value, and of each of these forms of it, is
// replaced by "[REDACTED:NAME]":
//   - raw bytes (binary safe: any byte values, NULs included);
//   - hex, all lowercase and all uppercase;
//   - base64, standard (+/) and url-safe (-_) alphabets, at each of the three alignments the
//     value can have in the encoded stream (starting at byte offset 0, 1 or 2 mod 3 of the
//     encoder's input). What is matched is the run of characters fixed by the value alone:
//     the characters that mix in bits of neighbouring bytes differ from one context to another
//     and stay visible, so up to one character (4 bits of the value) can remain on either side
//     of the marker, and '=' padding after a value at the end of the stream is left as it is;
//   - percent-encoding: every byte as %XX (upper- and lowercase hex), and the usual forms that
//     keep some bytes as they are (JavaScript's encodeURIComponent, which keeps
//     [A-Za-z0-9-_.!~*'()], and RFC 3986 / Python's quote(v, ""), which keeps [A-Za-z0-9-_.~]),
//     each when it differs from the raw value.
// Not caught: other encodings (hex with mixed case or separators, base64 with line breaks inside
// the value, base32, JSON "\u" escapes, '+' for space in form encoding, compression, ...), a value
// split by bytes the program inserts, and anything a program sets out to hide. This guards
// against accidental leaks; a program that holds a secret can always disguise it.
//
// Which occurrences. Leftmost-longest, and overlaps are redacted too: output is the input with
// every byte that lies inside any occurrence removed. Scanning left to right, at the first byte
// covered by an occurrence the one that reaches furthest (the longest) is replaced by its
// marker; an occurrence that overlaps it and reaches further is replaced by its own marker right
// after, for the bytes beyond; occurrences lying wholly inside another are not counted. So a
// secret that is a prefix of another gives way to the longer one where both match, and no byte
// of any occurrence is ever emitted.
//
// Streaming. feed() takes any chunking of the stream (one byte at a time included) and returns
// the bytes that can no longer become part of an occurrence; the rest is held back until later
// input decides it. At most longest_pattern() - 1 bytes are held back, usually far fewer: only a
// tail that is still the beginning of some pattern. finish() releases them at end of stream.
// Memory is bounded by the secrets and the largest chunk, not by the stream length.
//
// Cost. One Aho-Corasick automaton holds every form of every secret (src/redact/automaton.h);
// a prefilter (src/redact/prefilter.h) clears ordinary output with one hash test per up to 16
// bytes, so the automaton only runs near likely starts. The stride is the shortest pattern's
// length minus 5 (minus 3 below 10 bytes), capped at 16: short secrets make the scan slower.
// Tables take about 14 KB per 32-byte secret plus up to 1 MiB of shared dense rows
// (SecretSet::memory_bytes()). bench/redact.sh measures throughput.
//
// Secrets. NAME is 1 to 64 printable ASCII characters without spaces, '[' or ']'. VALUE is
// 6 to 16384 bytes of anything. Shorter values are rejected, since they would redact ordinary
// output. Several values may share a name (e.g. an old and a new token). A value listed under two
// names, or a form that equals another secret's form, is reported under the first name listed
// (raw values take precedence over encoded forms). A name must not contain a secret or one of
// its forms, since the marker would then print it. Errors name the secret, never its value.
// Values live only in the compiled automaton; build temporaries and held-back bytes are erased
// when released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "redact/automaton.h"
#include "redact/encodings.h"
#include "redact/prefilter.h"

namespace sbx::redact {

inline constexpr size_t kMinSecretBytes = 6;
inline constexpr size_t kMaxSecretBytes = 16384;
inline constexpr size_t kMaxNameBytes = 64;

struct Secret {
  std::string name;
  std::string value;  // bytes, not necessarily text
};

// The compiled secrets: immutable, shared by every stream (and thread) redacting them.
class SecretSet {
 public:
  static Result<std::shared_ptr<const SecretSet>> compile(std::span<const Secret> secrets,
                                                          const Encodings& forms = {});

  SecretSet(const SecretSet&) = delete;
  SecretSet& operator=(const SecretSet&) = delete;

  // Distinct names, in the order first listed; Redactor::counts() is indexed the same way.
  const std::vector<std::string>& names() const { return names_; }
  size_t pattern_count() const { return automaton_.pattern_count(); }
  size_t longest_pattern() const { return automaton_.longest_pattern(); }
  size_t memory_bytes() const;

 private:
  friend class Redactor;
  SecretSet() : automaton_(Automaton::Builder().build()) {}

  Automaton automaton_;
  Prefilter prefilter_;
  std::vector<uint32_t> pattern_name_;  // pattern id -> index into names_
  std::vector<std::string> names_;
  std::vector<std::string> markers_;  // "[REDACTED:NAME]", parallel to names_
};

// Redacts one byte stream. Not thread-safe; use one per stream.
class Redactor {
 public:
  explicit Redactor(std::shared_ptr<const SecretSet> secrets);
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;
  ~Redactor();  // erases held-back bytes

  // Consumes `input` and returns the redacted bytes that are final now. The returned view
  // stays valid until the next feed() or finish(), and while `input` is: when nothing in it
  // needs replacing it is a view of `input` itself, not a copy.
  std::span<const std::byte> feed(std::span<const std::byte> input);
  std::span<const std::byte> feed(std::string_view input) {
    return feed(std::as_bytes(std::span(input)));
  }

  // End of stream: returns everything still held back, redacted. Feeding afterwards starts
  // a new stream (counts carry on).
  std::span<const std::byte> finish();

  // Bytes consumed but not yet returned.
  size_t held_back() const { return pending_.size(); }
  // Redactions so far per name, indexed like SecretSet::names().
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t total_redactions() const;

 private:
  // An occurrence that is not yet replaced. `key` is its first byte not yet decided: its start,
  // or the resolve cursor once the cursor has moved into it.
  struct Cover {
    uint64_t key;
    uint64_t start;
    uint64_t end;
    uint32_t pattern;
  };

  void scan(const uint8_t* data, size_t size);
  void record_outputs(uint32_t state, uint64_t end, uint32_t open_before);
  void record(uint64_t start, uint64_t end, uint32_t pattern);
  void resolve(uint64_t upto);
  void carry_covers_to_cursor();
  void emit_input(uint64_t from, uint64_t to);
  void copy_direct_output();
  void keep_undecided_input(size_t chunk_size);

  std::shared_ptr<const SecretSet> set_;
  uint32_t state_ = Automaton::kRoot;
  uint64_t scanned_ = 0;  // stream offset of the next input byte
  uint64_t cursor_ = 0;   // stream offset of the first byte not yet emitted or replaced
  // Input that is neither emitted nor replaced yet: stream offsets [pending_base_, ...) where
  // pending_base_ == cursor_ between calls.
  std::vector<std::byte> pending_;
  uint64_t pending_base_ = 0;
  const std::byte* chunk_ = nullptr;  // the input of the running feed(), at chunk_base_
  uint64_t chunk_base_ = 0;
  std::vector<Cover> covers_;  // sorted by key, all keys >= cursor_
  // Output of the running call: the first direct_size_ bytes of the input, followed by out_
  // (out_ is empty while the output is still a prefix of the input).
  size_t direct_size_ = 0;
  std::vector<std::byte> out_;
  std::vector<uint64_t> counts_;
};

}  // namespace sbx::redact
