// What a build shows while it runs: the current step, packages fetched or set up out of the total
// apt announced, and the elapsed time. On a terminal one status line is redrawn in place; elsewhere
// (CI logs, pipes) a plain line is printed each time the step changes.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace sbx::rootfs {

class BuildProgress {
 public:
  BuildProgress(std::string name, bool terminal, std::FILE* out);
  ~BuildProgress() { finish(); }
  BuildProgress(const BuildProgress&) = delete;
  BuildProgress& operator=(const BuildProgress&) = delete;

  // A step of sbx's own ("trimming", "hashing the tree").
  void step(std::string_view what);
  // One line of mmdebstrap --verbose output.
  void line(std::string_view text);
  // Redraws the status line with the new elapsed time (terminal only).
  void tick();
  // Ends the status line.
  void finish();

  // "installing remaining packages · 57/99 packages · 1:12"; public for tests.
  std::string status_text(std::chrono::seconds elapsed) const;
  const std::string& current_step() const { return step_; }
  int packages_total() const { return total_; }
  int packages_done() const { return setup_ > 0 ? setup_ : fetched_; }

 private:
  void show();
  std::chrono::seconds elapsed() const;

  std::string name_;
  bool terminal_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::string step_ = "starting";
  int total_ = 0;    // sum of apt's "N newly installed"
  int fetched_ = 0;  // "Get:" lines
  int setup_ = 0;    // "Setting up" lines
  bool line_open_ = false;
};

}  // namespace sbx::rootfs
