// `sbx serve`: the sandbox service on a unix socket. One single-threaded event loop accepts
// clients, checks each against the allow list by its kernel-reported credentials, and runs
// their requests as workers under the global admission limits and the caller's own.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "serve/listen_socket.h"
#include "serve/serve_config.h"

namespace sbx::serve {

struct ServeOptions {
  ServeConfig config;
  std::vector<UniqueFd> listeners;
  bool socket_activated = false;
  std::string listen_path;  // --listen: removed on exit if still ours
  FileIdentity listen_identity;
  std::optional<std::chrono::nanoseconds> idle_exit;
};

// Runs until SIGTERM/SIGINT (then drains: no new connections or runs, running ones get the
// drain timeout, then SIGKILL) or, with idle_exit, until nothing happened for that long.
// Returns the exit status.
int run_server(ServeOptions options);

}  // namespace sbx::serve
