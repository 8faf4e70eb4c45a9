#include "base/image_pages.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

namespace sbx {
namespace {

struct Segment {
  uintptr_t start;
  uintptr_t end;
  bool writable;
};

struct Collected {
  Segment segments[16];
  int count = 0;
};

int collect_main_program(dl_phdr_info* info, size_t, void* out) {
  auto* c = static_cast<Collected*>(out);
  for (int i = 0; i < info->dlpi_phnum && c->count < 16; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    c->segments[c->count++] = {start, start + ph.p_memsz, (ph.p_flags & PF_W) != 0};
  }
  return 1;  // the first object is the executable itself
}

}  // namespace

ImagePages ImagePages::of_this_executable() noexcept {
  Collected c;
  ::dl_iterate_phdr(collect_main_program, &c);
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  ImagePages pages;
  for (int i = 0; i < c.count && pages.count < kMaxRanges; ++i) {
    if (c.segments[i].writable) continue;
    uintptr_t start = (c.segments[i].start + page - 1) & ~(page - 1);
    uintptr_t end = c.segments[i].end & ~(page - 1);
    // A writable segment may begin or end inside a page of this one: keep that page.
    for (int w = 0; w < c.count; ++w) {
      if (!c.segments[w].writable) continue;
      const uintptr_t w_first = c.segments[w].start & ~(page - 1);
      const uintptr_t w_last = (c.segments[w].end + page - 1) & ~(page - 1);
      if (w_first <= start && w_last >= end) end = start;  // all of it
      if (w_first < end && w_first >= start) end = w_first;
      if (w_last > start && w_last <= end) start = w_last;
    }
    if (end > start) pages.ranges[pages.count++] = {start, end - start};
  }
  return pages;
}

void ImagePages::release_resident() const noexcept {
  for (int i = 0; i < count; ++i) {
    ::madvise(reinterpret_cast<void*>(ranges[i].start), ranges[i].length, MADV_DONTNEED);
  }
}

}  // namespace sbx
