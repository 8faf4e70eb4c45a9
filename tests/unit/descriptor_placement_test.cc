// A worker's descriptors land at 0-4 whatever numbers they came with: sources that are
// themselves targets, swapped, shared or missing, with nothing left over.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>

#include "sys/descriptor_placement.h"
#include "sys/raw_syscalls.h"

namespace sbx::sys {
namespace {

// Identifies an open file by inode (each pipe end of its own pipe is distinct enough here).
ino_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

// Runs `body` in a forked child, which may rearrange its own descriptors 0-4 freely; its exit
// status is the number of the first failed check (0: all held). The child starts with nothing
// open above 2 (the test runner may have inherited some).
template <typename Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    close_range(3, ~0U, 0);
    ::_exit(body());
  }
  int status = -1;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

// Opens one pipe per slot, each end at a known descriptor number, so a test can say where each
// source sits before placement.
struct Files {
  std::array<ino_t, 8> inode{};
  // Puts a fresh pipe's read end at `fd`; returns its inode.
  static ino_t at(int fd) {
    int ends[2];
    if (::pipe(ends) != 0) return 0;
    ::close(ends[1]);
    if (ends[0] != fd) {
      if (::dup2(ends[0], fd) != fd) return 0;
      ::close(ends[0]);
    }
    return inode_of(fd);
  }
};

TEST(DescriptorPlacementTest, SwappedTargetsAndHighSourcesLandWhereAsked) {
  EXPECT_EQ(in_child([] {
              const ino_t a = Files::at(3), b = Files::at(4), c = Files::at(20), d = Files::at(1), e = Files::at(30);
              if (a == 0 || b == 0 || c == 0 || d == 0 || e == 0) return 1;
              // 3 and 4 swap (closing the sources after the dup2s would close both again); 0
              // takes what was at 1; 1 and 2 take high descriptors.
              if (!place_descriptors(std::array<int, 5>{1, 20, 30, 4, 3})) return 2;
              if (inode_of(0) != d || inode_of(1) != c || inode_of(2) != e) return 3;
              if (inode_of(3) != b || inode_of(4) != a) return 4;
              for (int fd = 5; fd < 64; ++fd) {
                if (is_open(fd)) return 5;  // a source or a scratch copy left behind
              }
              return 0;
            }),
            0);
}

// What a standby worker meets: its job's descriptor for 1 arrived as 4, and none was sent for 4.
// 1 gets the file, and 4 ends closed.
TEST(DescriptorPlacementTest, ASourceAtAnUnsentTargetIsMovedAndTheTargetClosed) {
  EXPECT_EQ(in_child([] {
              const ino_t out = Files::at(4), in = Files::at(0), err = Files::at(2);
              if (out == 0 || in == 0 || err == 0) return 1;
              if (!place_descriptors(std::array<int, 5>{0, 4, 2, -1, -1})) return 2;
              if (inode_of(0) != in || inode_of(1) != out || inode_of(2) != err) return 3;
              if (is_open(3) || is_open(4)) return 4;
              return 0;
            }),
            0);
}

TEST(DescriptorPlacementTest, TwoTargetsMayShareOneSource) {
  EXPECT_EQ(in_child([] {
              const ino_t both = Files::at(9);
              if (both == 0) return 1;
              if (!place_descriptors(std::array<int, 3>{-1, 9, 9})) return 2;
              if (is_open(0) || inode_of(1) != both || inode_of(2) != both || is_open(9)) return 3;
              return 0;
            }),
            0);
}

TEST(DescriptorPlacementTest, ASourceThatIsNotOpenFails) {
  EXPECT_EQ(in_child([] {
              ::close(40);
              return place_descriptors(std::array<int, 2>{40, -1}) ? 1 : 0;
            }),
            0);
}

}  // namespace
}  // namespace sbx::sys
