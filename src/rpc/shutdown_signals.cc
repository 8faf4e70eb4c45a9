#include "rpc/shutdown_signals.h"

namespace sbx::rpc {

Result<ShutdownSignals> install_shutdown_signals() {
  ::signal(SIGPIPE, SIG_IGN);
  return SignalFd::block({SIGTERM, SIGINT, SIGHUP});
}

}  // namespace sbx::rpc
