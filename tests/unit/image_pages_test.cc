#include "base/image_pages.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sbx {
namespace {

struct Mapping {
  uintptr_t start;
  uintptr_t end;
  std::string perms;
};

std::vector<Mapping> own_mappings() {
  std::vector<Mapping> out;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    const auto dash = range.find('-');
    out.push_back({std::stoul(range.substr(0, dash), nullptr, 16), std::stoul(range.substr(dash + 1), nullptr, 16), perms});
  }
  return out;
}

// Written after start-up: a private copy the release must never throw away.
int g_written_after_start = 0;
// Relocated at start-up (it holds an address): the same.
const int* const g_relocated_pointer = &g_written_after_start;

TEST(ImagePages, CoverOnlyReadOnlyMappingsOfThisExecutable) {
  const ImagePages pages = ImagePages::of_this_executable();
  ASSERT_GT(pages.count, 0);
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto maps = own_mappings();
  for (int i = 0; i < pages.count; ++i) {
    const auto& r = pages.ranges[i];
    EXPECT_EQ(r.start % page, 0u);
    EXPECT_EQ(r.length % page, 0u);
    ASSERT_GT(r.length, 0u);
    // Every page of the range lies in a mapping that is not writable.
    for (uintptr_t p = r.start; p < r.start + r.length; p += page) {
      bool read_only = false;
      for (const auto& m : maps) {
        if (p >= m.start && p < m.end) read_only = m.perms.find('w') == std::string::npos;
      }
      ASSERT_TRUE(read_only) << "page " << std::hex << p << " of range " << i << " is writable or unmapped";
    }
  }
}

TEST(ImagePages, ReleasingKeepsDataAndCodeWorking) {
  g_written_after_start = 42;
  ImagePages::of_this_executable().release_resident();
  EXPECT_EQ(g_written_after_start, 42);
  EXPECT_EQ(*g_relocated_pointer, 42);
  // Code and constants fault back in from the file.
  EXPECT_EQ(std::to_string(1234567), "1234567");
}

}  // namespace
}  // namespace sbx
