// JSON-RPC 2.0 envelopes for sbx.rpc/1 and the MCP server: parsing one line into a request,
// and building replies. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sbx::rpc {

using Json = nlohmann::ordered_json;

inline constexpr std::string_view kProtocolName = "sbx.rpc/1";

// JSON-RPC's own codes, then sbx's (in the -32000..-32099 range the spec leaves to servers).
enum ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kBusy = -32001,        // concurrency limit and queue full, or the service is shutting down
  kForbidden = -32002,   // the caller may not ask for this (limits, policy, network)
  kRunFailed = -32003,   // sbx could not run the request (setup failed before a verdict)
  kCancelled = -32004,   // cancelled, or the service stopped, before a verdict existed
};

const char* error_code_name(int code);

struct Incoming {
  enum class Kind {
    kRequest,       // has an id: must be answered
    kNotification,  // no id: never answered
    kResponse,      // a reply to something; sbx sends no requests, so it is ignored
    kInvalid,       // `error_reply` says why
  };
  Kind kind = Kind::kInvalid;
  Json id;  // null unless kind is kRequest (or the invalid message had a usable id)
  std::string method;
  Json params;  // absent params are an empty object
  std::string error_reply;  // for kInvalid: the line to send back
};

// Parses and checks one message. Batches (JSON arrays) are refused.
Incoming parse_message(std::string_view line);

// Serialised replies, one line each without the newline. Invalid UTF-8 inside strings is
// replaced rather than thrown on, so any program output can be sent.
std::string result_line(const Json& id, Json result);
std::string error_line(const Json& id, int code, std::string_view message, Json data = nullptr);
std::string notification_line(std::string_view method, Json params);
std::string dump_line(const Json& message);

// "string", "number", ... for error messages.
std::string json_type_name(const Json& value);

// A stable text key for an id (ids of runs in progress must be unique per connection).
std::string id_key(const Json& id);

}  // namespace sbx::rpc
