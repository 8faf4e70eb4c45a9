// Puts a worker's descriptors at the numbers it expects (0-4 for sbx exec workers), whatever
// numbers they arrived with. Header-only, allocation-free and noexcept: a vfork child uses it.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstddef>

namespace sbx::sys {

// Above every target, so that moving a source there clobbers none.
inline constexpr int kPlacementScratchFloor = 16;

// Descriptor i becomes sources[i], or is closed when sources[i] < 0 (never let a leftover, a
// listening socket say, pose as one the worker reads). The sources are consumed: each is closed
// unless it is itself a target that received it. A source may be any descriptor, a target
// included, and two targets may share one. False (errno set) when a copy fails; the targets are
// then in no defined state, and the caller must give up.
template <size_t N>
bool place_descriptors(const std::array<int, N>& sources) noexcept {
  std::array<int, N> moved;
  moved.fill(-1);
  bool ok = true;
  for (size_t i = 0; i < N && ok; ++i) {
    if (sources[i] >= 0) {
      moved[i] = ::fcntl(sources[i], F_DUPFD_CLOEXEC, kPlacementScratchFloor);
      ok = moved[i] >= 0;
    }
  }
  // The originals go before any dup2: closed afterwards, one that happened to be a target would
  // close what was just put there.
  for (size_t i = 0; i < N; ++i) {
    if (sources[i] >= 0) ::close(sources[i]);
  }
  for (size_t i = 0; i < N && ok; ++i) {
    const int target = static_cast<int>(i);
    if (moved[i] < 0) {
      ::close(target);
    } else {
      ok = ::dup2(moved[i], target) == target;
    }
  }
  for (int fd : moved) {
    if (fd >= 0) ::close(fd);
  }
  return ok;
}

}  // namespace sbx::sys
