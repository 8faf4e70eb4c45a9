// Names for the arguments a policy's seccomp rules test: ioctl requests and socket families.
// Policies use the names; the filter compares numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sbx::seccomp {

// "TIOCSTI" -> 0x5412. Terminal, file and socket ioctls a sandbox may want to refuse.
std::optional<uint64_t> ioctl_request_from_name(std::string_view name);
// The name for a request number in the table above, or nullopt.
std::optional<std::string_view> ioctl_request_name(uint64_t request);

// "AF_INET" -> 2 ("AF_LOCAL" is AF_UNIX).
std::optional<int> socket_family_from_name(std::string_view name);
std::optional<std::string_view> socket_family_name(int family);

// "AF_INET, AF_INET6, ..." for error messages.
std::string socket_family_names();

}  // namespace sbx::seccomp
