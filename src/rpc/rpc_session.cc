#include "rpc/rpc_session.h"

#include <signal.h>

#include "rpc/encoding.h"

namespace sbx::rpc {

Json run_result_json(const RunEnd& end, const Caller& caller) {
  Json result = Json::object();
  result["verdict"] = end.verdict ? *end.verdict : Json(nullptr);
  result["exit_status"] = end.exit_status;
  result["caller"] = caller.json();
  return result;
}

Json output_notification_params(const Json& id, OutputStream stream, std::string_view bytes) {
  Json params = Json::object();
  params["id"] = id;
  params["stream"] = stream_name(stream);
  if (is_valid_utf8(bytes)) {
    params["encoding"] = "text";
    params["data"] = std::string(bytes);
  } else {
    params["encoding"] = "base64";
    params["data"] = base64_encode(bytes);
  }
  return params;
}

namespace {

int signal_number(const Json& value, std::initializer_list<std::pair<const char*, int>> allowed) {
  if (value.is_number_integer()) {
    for (const auto& [name, number] : allowed) {
      if (value.get<int64_t>() == number) return number;
    }
    return 0;
  }
  if (!value.is_string()) return 0;
  std::string name = value.get<std::string>();
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  for (const auto& [n, number] : allowed) {
    if (name == n) return number;
  }
  return 0;
}

}  // namespace

int cancel_signal(const Json& value) {
  if (value.is_null()) return SIGTERM;
  return signal_number(value, {{"TERM", SIGTERM}, {"INT", SIGINT}, {"HUP", SIGHUP}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL}});
}

int forward_signal(const Json& value) {
  return signal_number(value, {{"TERM", SIGTERM},
                               {"INT", SIGINT},
                               {"HUP", SIGHUP},
                               {"QUIT", SIGQUIT},
                               {"USR1", SIGUSR1},
                               {"USR2", SIGUSR2},
                               {"WINCH", SIGWINCH},
                               {"CONT", SIGCONT}});
}

RpcSession::RpcSession(Service& service, Caller caller, Send send, Blocked output_blocked)
    : service_(service), caller_(std::move(caller)), send_(std::move(send)), output_blocked_(std::move(output_blocked)) {}

RpcSession::~RpcSession() { disconnect(); }

void RpcSession::disconnect() {
  *alive_ = false;
  service_.runs.cancel_disconnected(std::exchange(runs_, {}));
}

void RpcSession::send_error(const Json& id, int code, const std::string& message, Json data) {
  send_(error_line(id, code, message, std::move(data)));
}

void RpcSession::handle_oversized(size_t bytes) {
  Json data = Json::object();
  data["max_message_bytes"] = service_.max_line_bytes;
  send_error(nullptr, kInvalidRequest,
             "invalid request: a message of " + std::to_string(bytes) + " bytes is over the limit of " +
                 std::to_string(service_.max_line_bytes) + " bytes; it was skipped",
             std::move(data));
}

void RpcSession::handle_line(const std::string& line) {
  const Incoming in = parse_message(line);
  switch (in.kind) {
    case Incoming::Kind::kInvalid:
      send_(in.error_reply);
      return;
    case Incoming::Kind::kResponse:
      return;
    case Incoming::Kind::kNotification:
      // Only `cancel` and `signal` make sense without an answer; anything else unanswered, or
      // with params that are not named (an array), is ignored, as JSON-RPC requires.
      if ((in.method == "cancel" || in.method == "signal") && in.params.is_object()) {
        Incoming as_request = in;
        as_request.kind = Incoming::Kind::kRequest;
        as_request.id = nullptr;
        if (in.method == "cancel") {
          cancel(as_request);
        } else {
          signal(as_request);
        }
      }
      return;
    case Incoming::Kind::kRequest:
      dispatch(in);
      return;
  }
}

void RpcSession::dispatch(const Incoming& in) {
  if (!in.params.is_object()) {
    send_error(in.id, kInvalidParams, "invalid params: params must be an object (named parameters)");
    return;
  }
  if (in.method == "run") {
    run(in);
  } else if (in.method == "cancel") {
    cancel(in);
  } else if (in.method == "signal") {
    signal(in);
  } else if (in.method == "health") {
    send_(result_line(in.id, health_json(service_, caller_)));
  } else if (in.method == "capabilities") {
    send_(result_line(in.id, capabilities_json(service_, caller_)));
  } else {
    send_error(in.id, kMethodNotFound,
               "method not found: \"" + in.method + "\" (methods: run, cancel, signal, health, capabilities)");
  }
}

void RpcSession::run(const Incoming& in) {
  auto request = parse_run_params(in.params, service_.bounds);
  if (!request) {
    send_error(in.id, kInvalidParams, "invalid params: " + request.error().message);
    return;
  }
  if (auto [code, message] = admit_request(*request, service_, caller_); code != 0) {
    send_error(in.id, code, std::string(error_code_name(code)) + ": " + message);
    return;
  }
  const std::string key = id_key(in.id);
  if (runs_.count(key) != 0) {
    send_error(in.id, kInvalidRequest, "invalid request: id " + key + " is already used by a run in progress");
    return;
  }
  const bool stream = request->stream;
  const std::string policy = request->policy;
  RunCallbacks callbacks;
  auto alive = alive_;
  if (stream) {
    callbacks.on_output = [this, alive, id = in.id](OutputStream s, std::string_view bytes) {
      if (*alive) send_(notification_line("run.output", output_notification_params(id, s, bytes)));
    };
    callbacks.output_blocked = [this, alive] { return *alive && output_blocked_ && output_blocked_(); };
  }
  callbacks.on_end = [this, alive, id = in.id, key, policy, service = &service_,
                      caller = std::make_shared<Caller>(caller_)](RunEnd end) {
    if (service->log_run) {
      RunRecord record{caller.get(), id.dump(), policy, "", end.exit_status, end.duration_ms, ""};
      if (end.verdict) {
        record.status = end.verdict->value("status", "unknown");
        record.verdict_id = end.verdict->value("id", "");
      } else {
        record.status = std::string("error:") + error_code_name(end.error_code);
      }
      service->log_run(record);
    }
    if (!*alive) return;
    runs_.erase(key);
    if (end.verdict) {
      send_(result_line(id, run_result_json(end, *caller)));
    } else {
      Json data = Json::object();
      data["exit_status"] = end.exit_status;
      if (!end.stderr_tail.empty()) data["stderr"] = end.stderr_tail;
      send_error(id, end.error_code, std::string(error_code_name(end.error_code)) + ": " + end.error_message,
                 std::move(data));
    }
  };
  auto ticket = service_.runs.submit(std::move(*request), caller_.key(), caller_.limits.max_concurrency,
                                     std::move(callbacks));
  if (!ticket) {
    send_error(in.id, kBusy, ticket.error().message);
    return;
  }
  runs_[key] = *ticket;
}

void RpcSession::cancel(const Incoming& in) {
  const auto target = in.params.find("id");
  if (target == in.params.end() || !(target->is_string() || target->is_number_integer())) {
    if (!in.id.is_null()) send_error(in.id, kInvalidParams, "invalid params: params.id: the id of the run to cancel");
    return;
  }
  const int sig = cancel_signal(in.params.value("signal", Json(nullptr)));
  if (sig == 0) {
    if (!in.id.is_null()) {
      send_error(in.id, kInvalidParams, "invalid params: params.signal: one of TERM, INT, HUP, QUIT, KILL");
    }
    return;
  }
  bool cancelled = false;
  if (const auto it = runs_.find(id_key(*target)); it != runs_.end()) {
    cancelled = service_.runs.cancel(it->second, sig, std::chrono::milliseconds(2000), kCancelled,
                                     "the run was cancelled");
  }
  if (!in.id.is_null()) {
    Json result = Json::object();
    result["cancelled"] = cancelled;
    send_(result_line(in.id, std::move(result)));
  }
}

void RpcSession::signal(const Incoming& in) {
  const auto target = in.params.find("id");
  const int sig = forward_signal(in.params.value("signal", Json(nullptr)));
  if (target == in.params.end() || !(target->is_string() || target->is_number_integer()) || sig == 0) {
    if (!in.id.is_null()) {
      send_error(in.id, kInvalidParams,
                 "invalid params: params.id (the run) and params.signal (TERM, INT, HUP, QUIT, USR1, USR2, WINCH, "
                 "CONT) are required");
    }
    return;
  }
  bool delivered = false;
  if (const auto it = runs_.find(id_key(*target)); it != runs_.end()) delivered = service_.runs.signal(it->second, sig);
  if (!in.id.is_null()) {
    Json result = Json::object();
    result["delivered"] = delivered;
    send_(result_line(in.id, std::move(result)));
  }
}

}  // namespace sbx::rpc
