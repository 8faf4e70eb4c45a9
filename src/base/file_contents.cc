#include "base/file_contents.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "base/units.h"

namespace sbx {
namespace {

Error too_large(std::string_view display, size_t max_bytes) {
  return Error{EFBIG, std::string(display) + ": larger than " + format_size(max_bytes)};
}

}  // namespace

Result<std::string> read_file_contents(int fd, std::string_view display, size_t max_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_error(display);
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) return too_large(display, max_bytes);
  // A file that says its size is read asking for a byte more: once it has given that much, a
  // short read is its end, and the usual last read that returns 0 is not needed. /proc and cgroup
  // files say 0 and give a page or so per read, so for them only a read of 0 is the end.
  const bool sized = S_ISREG(st.st_mode) && size > 0;
  std::string out(sized ? static_cast<size_t>(size) + 1 : 4096, '\0');
  size_t used = 0;
  for (;;) {
    const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(display);
    }
    used += static_cast<size_t>(n);
    if (used > max_bytes) return too_large(display, max_bytes);
    if (n == 0 || (sized && used >= size && used < out.size())) break;
    if (used == out.size()) out.resize(out.size() * 2);
  }
  out.resize(used);
  return out;
}

Result<std::string> read_file_contents(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return errno_error(path);
  return read_file_contents(fd.get(), path, max_bytes);
}

Status write_all(int fd, std::string_view data, std::string_view display) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(display);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status replace_file_contents(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) return errno_error("create " + tmp);
  Status written = write_all(fd.get(), contents, "write " + tmp);
  fd.reset();
  if (written && ::rename(tmp.c_str(), path.c_str()) != 0) written = errno_error("rename " + tmp + " to " + path);
  if (!written) ::unlink(tmp.c_str());
  return written;
}

}  // namespace sbx
