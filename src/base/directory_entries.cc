#include "base/directory_entries.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace sbx {
namespace {

// 0, or the errno that stopped the listing.
int read_names(int dir_fd, std::vector<std::string>& names) {
  const int listing_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
  if (listing_fd < 0) return errno;
  DIR* listing = ::fdopendir(listing_fd);
  if (listing == nullptr) {
    const int saved = errno;
    ::close(listing_fd);
    return saved;
  }
  ::rewinddir(listing);  // the copy shares dir_fd's position, which an earlier listing may have moved
  int read_errno = 0;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(listing);
    if (entry == nullptr) {
      read_errno = errno;
      break;
    }
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(listing);
  return read_errno;
}

Error listing_error(int error, std::string_view display) {
  errno = error;
  return errno_error("list " + std::string(display));
}

}  // namespace

Result<std::vector<std::string>> directory_entries(int dir_fd, std::string_view display) {
  std::vector<std::string> names;
  if (const int error = read_names(dir_fd, names); error != 0) return listing_error(error, display);
  return names;
}

Result<std::vector<std::string>> directory_entries(const std::string& path) {
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return errno_error("open " + path);
  return directory_entries(dir.get(), path);
}

}  // namespace sbx
