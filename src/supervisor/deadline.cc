#include "supervisor/deadline.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdint>

namespace sbx::supervisor {
namespace {

Status set_timer(int fd, std::chrono::nanoseconds after) {
  itimerspec spec{};
  const auto ns = after.count() > 0 ? after.count() : 1;  // 0 would disarm
  spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (::timerfd_settime(fd, 0, &spec, nullptr) != 0) return errno_error("timerfd_settime");
  return {};
}

}  // namespace

Result<Deadline> Deadline::arm(std::optional<std::chrono::nanoseconds> timeout, std::chrono::nanoseconds grace) {
  if (!timeout) return Deadline(UniqueFd(), grace);
  UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!fd.valid()) return errno_error("timerfd_create");
  SBX_RETURN_IF_ERROR(set_timer(fd.get(), *timeout));
  return Deadline(std::move(fd), grace);
}

Result<Deadline::Phase> Deadline::advance() {
  uint64_t expirations = 0;
  if (::read(fd_.get(), &expirations, sizeof(expirations)) < 0 && errno != EAGAIN) {
    return errno_error("read timerfd");
  }
  if (phase_ == Phase::kRunning) {
    phase_ = Phase::kTerminating;
    SBX_RETURN_IF_ERROR(set_timer(fd_.get(), grace_));
  } else {
    phase_ = Phase::kKilled;
    fd_.reset();
  }
  return phase_;
}

}  // namespace sbx::supervisor
