// Runs one session (sbx.rpc/1 or MCP) on this process's stdin and stdout until the client is
// done: input ended and every run answered, or the client gone. SIGTERM/SIGINT stop reading and
// cancel the runs (SIGTERM, then SIGKILL after two seconds); a second signal kills them at once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "rpc/line_session.h"
#include "rpc/service.h"

namespace sbx::rpc {

using SendLine = std::function<void(std::string line)>;
using OutputBlocked = std::function<bool()>;
using SessionFactory = std::function<std::unique_ptr<LineSession>(SendLine, OutputBlocked)>;

// Returns the process exit status.
int serve_stdio(Service& service, const SessionFactory& make_session);

}  // namespace sbx::rpc
