// Whole files in and out (base/file_contents.h). Reading: every byte of disk files, /proc files
// that say they are empty, pipes and files read from an offset; a read error or a file over the
// limit is an error naming the file, never a shorter text. Writing: all of it, and a file
// replaced whole or not at all.
#include "base/file_contents.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/unique_fd.h"
#include "scratch_root.h"

namespace sbx {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using sbx::testing::ScratchRoot;

std::string pattern(size_t size) {
  std::string text(size, '\0');
  for (size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7) % 26);
  return text;
}

std::string write_file(const ScratchRoot& root, const std::string& name, const std::string& text) {
  const std::string path = root.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A reference reading of a file that is not sized: read(2) in small pieces until it returns 0.
std::string read_in_pieces(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text;
  char buf[512];
  ssize_t n;
  while (fd.valid() && (n = ::read(fd.get(), buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

TEST(FileContents, DiskFilesOfEverySizeAreReadWhole) {
  ScratchRoot root("sbx-file-contents");
  ASSERT_FALSE(root.path().empty());
  for (const size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{300000}}) {
    const std::string text = pattern(size);
    const std::string path = write_file(root, "f" + std::to_string(size), text);
    const auto read = read_file_contents(path);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, text) << "a file of " << size << " bytes";
  }
}

// /proc/self/mountinfo says it is 0 bytes long and is handed out a page or so per read(2): taking
// a short read for its end would cut it off after the first page.
TEST(FileContents, ProcFilesThatSayTheyAreEmptyAreReadToTheirEnd) {
  const std::string reference = read_in_pieces("/proc/self/mountinfo");
  ASSERT_FALSE(reference.empty());
  struct stat st {};
  ASSERT_EQ(::stat("/proc/self/mountinfo", &st), 0);
  EXPECT_EQ(st.st_size, 0) << "the premise: /proc does not size its files";
  const auto read = read_file_contents("/proc/self/mountinfo");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, reference);
  const auto ostype = read_file_contents("/proc/sys/kernel/ostype");
  ASSERT_TRUE(ostype) << ostype.error().message;
  EXPECT_EQ(*ostype, "Linux\n");
}

// A pipe has no size at all; what was written is read up to the writer's close.
TEST(FileContents, APipeIsReadUntilTheWriterCloses) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  const std::string text = pattern(200000);  // more than the pipe holds: the writer must wait
  std::thread writer([fd = fds[1], &text] {
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
  });
  const auto read = read_file_contents(read_end.get(), "the pipe");
  writer.join();
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, text);
}

TEST(FileContents, FromAnOpenDescriptorTheRestOfTheFileIsRead) {
  ScratchRoot root("sbx-file-contents");
  const std::string path = write_file(root, "f", "skipped|kept");
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(::lseek(fd.get(), 8, SEEK_SET), 8);
  const auto read = read_file_contents(fd.get(), path);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, "kept");
}

TEST(FileContents, AFileOverTheLimitIsRefusedWithEfbig) {
  ScratchRoot root("sbx-file-contents");
  const std::string path = write_file(root, "f", pattern(2048));
  const auto at_limit = read_file_contents(path, 2048);
  ASSERT_TRUE(at_limit) << at_limit.error().message;
  EXPECT_EQ(at_limit->size(), 2048u);

  const auto over = read_file_contents(path, 1024);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().sys_errno, EFBIG);
  EXPECT_EQ(over.error().message, path + ": larger than 1k");
  // Unsized files are counted as they are read.
  const auto proc = read_file_contents("/proc/self/mountinfo", 16);
  ASSERT_FALSE(proc);
  EXPECT_EQ(proc.error().sys_errno, EFBIG);
}

// getline and `stream << rdbuf()` stop at a read error as at the end of the file.
TEST(FileContents, AReadErrorIsAnErrorNamingTheFile) {
  // /proc/self/mem opens, but reading it at offset 0 (never mapped) fails with EIO.
  const auto mem = read_file_contents("/proc/self/mem");
  ASSERT_FALSE(mem);
  EXPECT_EQ(mem.error().sys_errno, EIO);
  EXPECT_THAT(mem.error().message, StartsWith("/proc/self/mem: "));

  const auto missing = read_file_contents("/nonexistent/sbx-file");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().sys_errno, ENOENT);
  EXPECT_THAT(missing.error().message, StartsWith("/nonexistent/sbx-file: "));

  UniqueFd mem_fd(::open("/proc/self/mem", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(mem_fd.valid());
  const auto named = read_file_contents(mem_fd.get(), "policy /x.yaml");
  ASSERT_FALSE(named);
  EXPECT_THAT(named.error().message, StartsWith("policy /x.yaml: "));
  EXPECT_THAT(named.error().message, HasSubstr("Input/output error"));
}

TEST(FileContents, WriteAllGivesAPipeEveryByte) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd write_end(fds[1]);
  const std::string text = pattern(300000);  // several times what a pipe holds
  std::string received;
  std::thread reader([fd = fds[0], &received] {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) received.append(buf, static_cast<size_t>(n));
    ::close(fd);
  });
  const Status written = write_all(write_end.get(), text, "the pipe");
  write_end.reset();
  reader.join();
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(received, text);
}

TEST(FileContents, WriteAllNamesWhatItWroteToWhenItFails) {
  UniqueFd read_only(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only.valid());
  const Status written = write_all(read_only.get(), "x", "write the verdict to descriptor 3");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().sys_errno, EBADF);
  EXPECT_THAT(written.error().message, StartsWith("write the verdict to descriptor 3: "));
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename());
  return names;
}

TEST(FileContents, AFileIsReplacedWholeAndAReaderKeepsTheOldOne) {
  ScratchRoot root("sbx-file-contents");
  const std::string path = root.path() + "/verdict.json";
  ASSERT_TRUE(replace_file_contents(path, "first\n", 0644));
  EXPECT_EQ(*read_file_contents(path), "first\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0022, 0u) << "made with the mode asked for (less the umask)";
  EXPECT_NE(st.st_mode & 0400, 0u);

  UniqueFd old_reader(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(old_reader.valid());
  const std::string larger = pattern(100000);
  ASSERT_TRUE(replace_file_contents(path, larger, 0644));
  EXPECT_EQ(*read_file_contents(path), larger);
  EXPECT_EQ(*read_file_contents(old_reader.get(), "old"), "first\n") << "renamed over, never rewritten in place";
  EXPECT_EQ(names_in(root.path()), std::vector<std::string>{"verdict.json"}) << "no temporary file is left";
}

TEST(FileContents, AReplacementThatFailsLeavesNothingBehind) {
  ScratchRoot root("sbx-file-contents");
  const Status no_dir = replace_file_contents(root.path() + "/missing/out.json", "x", 0644);
  ASSERT_FALSE(no_dir);
  EXPECT_EQ(no_dir.error().sys_errno, ENOENT);
  EXPECT_THAT(no_dir.error().message, StartsWith("create " + root.path() + "/missing/out.json.tmp-"));

  // rename(2) cannot put a file over a directory that has something in it.
  const std::string dir = root.path() + "/taken";
  ASSERT_TRUE(std::filesystem::create_directories(dir + "/inside"));
  const Status over_dir = replace_file_contents(dir, "x", 0644);
  ASSERT_FALSE(over_dir);
  EXPECT_THAT(over_dir.error().message, HasSubstr("rename "));
  EXPECT_THAT(over_dir.error().message, HasSubstr(" to " + dir));
  EXPECT_EQ(names_in(root.path()), std::vector<std::string>{"taken"}) << "the temporary file is removed again";
}

}  // namespace
}  // namespace sbx
