// Result<T>: the std::expected subset sbx needs (g++ 12 has no std::expected in C++20 mode).
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sbx {

struct Error {
  int sys_errno = 0;    // 0 when the error was not caused by a syscall
  std::string message;  // "mounts: bind /srv/data -> /data: Permission denied"

  // Prepends what the caller was doing: "exec: " + "mounts: ...".
  Error&& context(std::string_view what) && {
    message.insert(0, std::string(what) + ": ");
    return std::move(*this);
  }
};

inline Error make_error(std::string message) { return Error{0, std::move(message)}; }

// Call right after the failing syscall so errno is still the one it set.
inline Error errno_error(std::string_view what) {
  const int saved = errno;
  return Error{saved, std::string(what) + ": " + std::strerror(saved)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  // The value, or `fallback` where a failure means nothing to the caller (an absent optional
  // directory lists as empty).
  T value_or(T fallback) && { return has_value() ? std::move(*this).value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : ok_(false), error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  bool ok_ = true;
  Error error_;
};

using Status = Result<void>;

}  // namespace sbx

#define SBX_CONCAT_INNER_(a, b) a##b
#define SBX_CONCAT_(a, b) SBX_CONCAT_INNER_(a, b)

#define SBX_RETURN_IF_ERROR(expr)                                  \
  do {                                                             \
    if (auto sbx_status_ = (expr); !sbx_status_) {                 \
      return std::move(sbx_status_).error();                       \
    }                                                              \
  } while (0)

#define SBX_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp) return std::move(tmp).error();         \
  lhs = std::move(tmp).value()

#define SBX_ASSIGN_OR_RETURN(lhs, expr) \
  SBX_ASSIGN_OR_RETURN_IMPL_(SBX_CONCAT_(sbx_result_, __LINE__), lhs, expr)
