// Best-effort erasure of secret bytes held in build temporaries and stream buffers.
#pragma once

#include <string.h>  // explicit_bzero (glibc >= 2.25): a memset the optimiser may not drop

#include <deque>
#include <string>
#include <vector>

namespace sbx::redact {

template <class T>
void wipe(std::vector<T>& v) {
  if (v.capacity() != 0) explicit_bzero(v.data(), v.capacity() * sizeof(T));
}

// The whole buffer, so a moved-from short string (whose bytes stay in its inline buffer) is
// erased too.
inline void wipe(std::string& s) { explicit_bzero(s.data(), s.capacity()); }

// Patterns derived from secret values while the automaton is built; erased when dropped.
// A deque never relocates its elements, so growing it leaves no stray copies behind.
class WipedStrings {
 public:
  WipedStrings() = default;
  WipedStrings(const WipedStrings&) = delete;
  WipedStrings& operator=(const WipedStrings&) = delete;
  ~WipedStrings() {
    for (std::string& s : items_) wipe(s);
  }

  void add(std::string&& s) {
    items_.push_back(std::move(s));
    wipe(s);
  }
  const std::deque<std::string>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::deque<std::string> items_;
};

}  // namespace sbx::redact
