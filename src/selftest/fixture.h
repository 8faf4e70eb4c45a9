// The host side of `sbx selftest`: the canaries the attacks aim at (a directory with a secret
// file, a process, loopback listeners, a leaked fd, a terminal), made fresh for one selftest and
// all removed by the destructor.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "base/result.h"
#include "base/unique_fd.h"
#include "selftest/targets.h"

namespace sbx::selftest {

class Fixture {
 public:
  static Result<std::unique_ptr<Fixture>> create(const std::string& sbx_binary);
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  const Targets& targets() const { return targets_; }
  int terminal() const { return pty_slave_.get(); }

  // Before each run: the canary file and directory as made, an empty workspace, a fresh canary
  // process, the listener count at zero.
  Status reset();

  bool canary_file_intact() const;
  // Waits briefly for an exit: a SIGKILL sent just before may not have been delivered yet.
  bool canary_process_alive();
  int listener_hits() const { return hits_.load(); }

 private:
  Fixture() = default;
  Status spawn_canary_process();
  void reap_canary_process();
  Status open_listeners();
  void serve_listeners();

  Targets targets_;
  std::string base_;
  pid_t canary_pid_ = -1;
  UniqueFd canary_pidfd_;
  UniqueFd leaked_dir_;
  UniqueFd pty_master_, pty_slave_;
  UniqueFd tcp_, tcp6_, udp_, abstract_, unix_;
  UniqueFd stop_;  // eventfd: ends the listener thread
  std::atomic<int> hits_{0};
  std::thread listener_thread_;
};

}  // namespace sbx::selftest
