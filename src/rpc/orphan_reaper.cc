#include "rpc/orphan_reaper.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <charconv>
#include <string>
#include <vector>

#include "base/directory_entries.h"
#include "base/file_contents.h"

namespace sbx::rpc {
namespace {

// Every thread's children: a child belongs to the thread that started it, and an adopted
// orphan to the one the kernel chose.
std::vector<pid_t> children_of_this_process() {
  std::vector<pid_t> out;
  for (const auto& task : directory_entries("/proc/self/task").value_or({})) {
    // A thread that ended meanwhile has no file left, and no children.
    const auto text = read_file_contents("/proc/self/task/" + task + "/children");
    if (!text) continue;
    // "PID PID ... " (each followed by a space).
    const char* at = text->data();
    const char* const end = at + text->size();
    while (at < end) {
      pid_t pid = 0;
      const auto [next, ec] = std::from_chars(at, end, pid);
      if (ec != std::errc()) break;
      out.push_back(pid);
      at = next;
      while (at < end && (*at == ' ' || *at == '\n')) ++at;
    }
  }
  return out;
}

}  // namespace

Status become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return errno_error("prctl(PR_SET_CHILD_SUBREAPER)");
  return {};
}

size_t reap_orphans(const std::function<bool(pid_t)>& ours) {
  size_t running = 0;
  for (const pid_t pid : children_of_this_process()) {
    if (ours(pid)) continue;
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG) == 0 && info.si_pid == 0) ++running;
  }
  return running;
}

}  // namespace sbx::rpc
