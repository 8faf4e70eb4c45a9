#include "supervisor/signals.h"

namespace sbx::supervisor {

Result<ForwardedSignals> block_forwarded_signals() {
  return SignalFd::block({SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGCHLD});
}

}  // namespace sbx::supervisor
