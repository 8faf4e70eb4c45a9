// The sbx.rpc/1 methods for one client: run (plain and streamed), cancel, health and
// capabilities. Takes framed lines in, sends reply lines out; knows nothing of sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "rpc/jsonrpc.h"
#include "rpc/line_session.h"
#include "rpc/run_manager.h"
#include "rpc/service.h"

namespace sbx::rpc {

class RpcSession final : public LineSession {
 public:
  using Send = std::function<void(std::string line)>;
  using Blocked = std::function<bool()>;

  RpcSession(Service& service, Caller caller, Send send, Blocked output_blocked);
  RpcSession(const RpcSession&) = delete;
  RpcSession& operator=(const RpcSession&) = delete;
  // Cancels what is still running (as a disconnect would).
  ~RpcSession() override;

  void handle_line(const std::string& line) override;
  void handle_oversized(size_t bytes) override;
  // The client is gone: its runs are killed (SIGTERM, then SIGKILL after the grace) and their
  // results dropped.
  void disconnect() override;
  size_t active_runs() const override { return runs_.size(); }
  const Caller& caller() const { return caller_; }

  static constexpr size_t kOutputHighWater = 1u << 20;

 private:
  void dispatch(const Incoming& request);
  void run(const Incoming& request);
  void cancel(const Incoming& request);
  void signal(const Incoming& request);
  void send_error(const Json& id, int code, const std::string& message, Json data = nullptr);

  Service& service_;
  Caller caller_;
  Send send_;
  Blocked output_blocked_;
  std::map<std::string, RunManager::Ticket> runs_;  // by id_key
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The result object of `run`: {"verdict", "exit_status", "caller"}.
Json run_result_json(const RunEnd& end, const Caller& caller);
// One run.output notification's params.
Json output_notification_params(const Json& id, OutputStream stream, std::string_view bytes);
// Maps "SIGTERM"/"TERM"/15 to a signal number; 0 if not one cancel accepts. `signal` also
// accepts what `sbx exec` forwards (USR1, USR2, WINCH, CONT).
int cancel_signal(const Json& value);
int forward_signal(const Json& value);

}  // namespace sbx::rpc
