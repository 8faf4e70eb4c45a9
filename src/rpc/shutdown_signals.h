// SIGTERM, SIGINT and SIGHUP as readable events on the loop (a signalfd), so shutdown is an
// ordinary step of the single-threaded loop rather than work done in a signal handler. Also
// ignores SIGPIPE: a client that goes away is noticed as EPIPE, never as death.
#pragma once

#include "base/signal_fd.h"

namespace sbx::rpc {

using ShutdownSignals = SignalFd;

Result<ShutdownSignals> install_shutdown_signals();

}  // namespace sbx::rpc
