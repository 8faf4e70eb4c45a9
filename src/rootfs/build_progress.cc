#include "rootfs/build_progress.h"

#include <cstdlib>

namespace sbx::rootfs {
namespace {

std::string format_elapsed(std::chrono::seconds s) {
  const auto total = s.count();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%lld:%02lld", static_cast<long long>(total / 60),
                static_cast<long long>(total % 60));
  return buf;
}

}  // namespace

BuildProgress::BuildProgress(std::string name, bool terminal, std::FILE* out)
    : name_(std::move(name)), terminal_(terminal), out_(out), start_(std::chrono::steady_clock::now()) {}

std::chrono::seconds BuildProgress::elapsed() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
}

void BuildProgress::step(std::string_view what) {
  if (what == step_) return;
  step_ = std::string(what);
  show();
}

void BuildProgress::line(std::string_view text) {
  if (text.starts_with("I: ")) {
    std::string_view what = text.substr(3);
    while (what.ends_with(".")) what.remove_suffix(1);
    // Bookkeeping lines that are not steps.
    if (what.starts_with("using ") || what.starts_with("chroot architecture") || what.starts_with("success in") ||
        what.starts_with("removing tempdir") || what == "done" || what.find("received signal") != std::string_view::npos) {
      return;
    }
    step(what);
    return;
  }
  if (text.starts_with("Get:")) {
    // apt-get update fetches indexes before any package count is known; count packages only.
    if (total_ > 0) ++fetched_;
    return;
  }
  if (text.starts_with("Setting up ")) {
    ++setup_;
    if (terminal_) show();
    return;
  }
  const size_t pos = text.find(" newly installed");
  if (pos != std::string_view::npos) {
    const size_t comma = text.rfind(", ", pos);
    const size_t start = comma == std::string_view::npos ? 0 : comma + 2;
    total_ += std::atoi(std::string(text.substr(start, pos - start)).c_str());
    fetched_ = 0;
  }
}

std::string BuildProgress::status_text(std::chrono::seconds elapsed_time) const {
  std::string text = step_;
  if (total_ > 0) {
    const int done = setup_ > 0 ? setup_ : fetched_;
    text += " · " + std::to_string(done) + "/" + std::to_string(total_) + " packages";
    text += setup_ > 0 ? " set up" : " fetched";
  }
  return text + " · " + format_elapsed(elapsed_time);
}

void BuildProgress::tick() {
  if (terminal_) show();
}

void BuildProgress::show() {
  const std::string text = name_ + ": " + status_text(elapsed());
  if (terminal_) {
    std::fprintf(out_, "\r\033[K%s", text.c_str());
    line_open_ = true;
  } else {
    std::fprintf(out_, "%s\n", text.c_str());
  }
  std::fflush(out_);
}

void BuildProgress::finish() {
  if (line_open_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
    line_open_ = false;
  }
}

}  // namespace sbx::rootfs
