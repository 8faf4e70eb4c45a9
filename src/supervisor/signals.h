// Signals sbx forwards into the sandbox instead of dying from them. Blocked before clone so no
// signal can arrive between starting the sandbox and watching the signalfd.
#pragma once

#include "base/signal_fd.h"

namespace sbx::supervisor {

using ForwardedSignals = SignalFd;

Result<ForwardedSignals> block_forwarded_signals();

}  // namespace sbx::supervisor
