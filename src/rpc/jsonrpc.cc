#include "rpc/jsonrpc.h"

namespace sbx::rpc {
namespace {

Incoming invalid(Json id, int code, std::string message) {
  Incoming in;
  in.kind = Incoming::Kind::kInvalid;
  in.error_reply = error_line(id, code, message);
  in.id = std::move(id);
  return in;
}

bool valid_id(const Json& id) { return id.is_string() || id.is_number_integer(); }

}  // namespace

const char* error_code_name(int code) {
  switch (code) {
    case kParseError: return "parse error";
    case kInvalidRequest: return "invalid request";
    case kMethodNotFound: return "method not found";
    case kInvalidParams: return "invalid params";
    case kInternalError: return "internal error";
    case kBusy: return "busy";
    case kForbidden: return "forbidden";
    case kRunFailed: return "run failed";
    case kCancelled: return "cancelled";
    default: return "error";
  }
}

std::string json_type_name(const Json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();
}

std::string id_key(const Json& id) { return id.dump(); }

Incoming parse_message(std::string_view line) {
  Json message = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) {
    return invalid(nullptr, kParseError, "parse error: the line is not valid JSON (one JSON object per line)");
  }
  if (message.is_array()) {
    return invalid(nullptr, kInvalidRequest, "invalid request: batches are not supported; send one request per line");
  }
  if (!message.is_object()) {
    return invalid(nullptr, kInvalidRequest,
                   "invalid request: a message must be a JSON object, got " + json_type_name(message));
  }
  Json id = nullptr;
  const bool has_id = message.contains("id");
  if (has_id) {
    if (!valid_id(message["id"])) {
      return invalid(nullptr, kInvalidRequest,
                     "invalid request: \"id\" must be a string or an integer, got " + json_type_name(message["id"]));
    }
    id = message["id"];
  }
  const auto version = message.find("jsonrpc");
  if (version == message.end() || !version->is_string() || *version != "2.0") {
    return invalid(id, kInvalidRequest, "invalid request: \"jsonrpc\" must be \"2.0\"");
  }
  const auto method = message.find("method");
  if (method == message.end()) {
    if (message.contains("result") || message.contains("error")) {
      Incoming in;
      in.kind = Incoming::Kind::kResponse;
      in.id = id;
      return in;
    }
    return invalid(id, kInvalidRequest, "invalid request: \"method\" is missing");
  }
  if (!method->is_string()) {
    return invalid(id, kInvalidRequest, "invalid request: \"method\" must be a string, got " + json_type_name(*method));
  }
  Incoming in;
  in.kind = has_id ? Incoming::Kind::kRequest : Incoming::Kind::kNotification;
  in.id = id;
  in.method = method->get<std::string>();
  const auto params = message.find("params");
  if (params == message.end() || params->is_null()) {
    in.params = Json::object();
  } else if (params->is_object() || params->is_array()) {
    in.params = *params;
  } else {
    return invalid(id, kInvalidRequest,
                   "invalid request: \"params\" must be an object, got " + json_type_name(*params));
  }
  return in;
}

std::string dump_line(const Json& message) {
  return message.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::detail::error_handler_t::replace);
}

std::string result_line(const Json& id, Json result) {
  Json reply = Json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["result"] = std::move(result);
  return dump_line(reply);
}

std::string error_line(const Json& id, int code, std::string_view message, Json data) {
  Json error = Json::object();
  error["code"] = code;
  error["message"] = std::string(message);
  if (!data.is_null()) error["data"] = std::move(data);
  Json reply = Json::object();
  reply["jsonrpc"] = "2.0";
  reply["id"] = id;
  reply["error"] = std::move(error);
  return dump_line(reply);
}

std::string notification_line(std::string_view method, Json params) {
  Json message = Json::object();
  message["jsonrpc"] = "2.0";
  message["method"] = std::string(method);
  message["params"] = std::move(params);
  return dump_line(message);
}

}  // namespace sbx::rpc
