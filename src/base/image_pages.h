// sbx's own code and constants, as the page ranges a long-lived sbx process can let go of.
//
// sbx is one static executable, so every page of it that a process has touched stays mapped
// into that process and is charged to it (PSS) whole: nothing else on the host maps them. The
// supervisor and the sandbox's init run for as long as the program does but need only a few
// pages of code to do it (a poll loop; a sigwaitinfo loop). Dropping the mappings of the
// read-only segments after start-up gives those pages back; the few still used fault in again
// from the page cache, where the file's pages stay for the next sbx run.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace sbx {

// When a process that waits for the sandbox releases its pages: soon enough that a long run
// holds little memory, late enough that a quick run, which would only fault the pages back in
// to report, never pays for it.
inline constexpr std::chrono::milliseconds kReleaseImagePagesAfter{20};

struct ImagePages {
  struct Range {
    uintptr_t start = 0;
    size_t length = 0;
  };
  static constexpr int kMaxRanges = 8;
  Range ranges[kMaxRanges];
  int count = 0;

  // The executable's read-only and executable PT_LOAD segments, whole pages only: never a page
  // it shares with a writable segment (relocated data, .data, .bss), whose private copies would
  // be lost.
  static ImagePages of_this_executable() noexcept;

  // Unmaps the ranges' pages from this process (MADV_DONTNEED; the mapping itself stays, so
  // code runs on and faults back in what it uses). Async-signal-safe: only madvise.
  void release_resident() const noexcept;
};

}  // namespace sbx
