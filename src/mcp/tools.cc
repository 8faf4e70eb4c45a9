#include "mcp/tools.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "rpc/encoding.h"

namespace sbx::mcp {
namespace {

constexpr std::array<std::string_view, 3> kVersions{"2025-06-18", "2025-03-26", "2024-11-05"};

Json files_schema() {
  Json file = Json::object();
  file["type"] = "object";
  file["properties"] = {
      {"path", {{"type", "string"}, {"description", "relative to /workspace, e.g. data/input.csv"}}},
      {"text", {{"type", "string"}, {"description", "the file's content as text"}}},
      {"base64", {{"type", "string"}, {"description", "the file's content, base64 (for binary files)"}}},
      {"executable", {{"type", "boolean"}}}};
  file["required"] = {"path"};
  file["additionalProperties"] = false;
  Json files = Json::object();
  files["type"] = "array";
  files["description"] = "files to place in /workspace (the working directory) before the run";
  files["items"] = std::move(file);
  return files;
}

Json common_properties(const ToolConfig& config) {
  const double max_seconds = std::chrono::duration<double>(config.max_timeout).count();
  Json props = Json::object();
  props["stdin"] = {{"type", "string"}, {"description", "standard input for the program"}};
  props["files"] = files_schema();
  char description[96];
  std::snprintf(description, sizeof(description), "wall-clock limit in seconds (default and most: %g)", max_seconds);
  props["timeout"] = {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", max_seconds},
                      {"description", description}};
  return props;
}

Json tool(std::string name, std::string title, std::string description, Json input, bool structured) {
  Json t = Json::object();
  t["name"] = std::move(name);
  t["title"] = std::move(title);
  t["description"] = std::move(description);
  t["inputSchema"] = std::move(input);
  if (structured) t["outputSchema"] = run_output_schema();
  t["annotations"] = {{"readOnlyHint", false}, {"destructiveHint", false}, {"idempotentHint", false},
                      {"openWorldHint", false}};
  return t;
}

// Output bytes as text for a model: invalid UTF-8 becomes U+FFFD when serialised.
std::string stream_text(const Json& stream) {
  if (!stream.is_object()) return "";
  if (stream.contains("text")) return stream["text"].get<std::string>();
  if (stream.contains("base64")) {
    auto bytes = rpc::base64_decode(stream["base64"].get<std::string>());
    if (bytes) return *bytes;
  }
  return "";
}

bool truncated(const Json& stream) { return stream.is_object() && stream.value("truncated", false); }

Json text_block(std::string text) {
  Json block = Json::object();
  block["type"] = "text";
  block["text"] = std::move(text);
  return block;
}

// "In it: no network; no access to the host's files; a private writable /workspace", as configured.
std::string sandbox_contents(const ToolConfig& config) {
  std::string network;
  switch (config.network) {
    case policy::NetworkMode::kNone:
      network = "no network";
      break;
    case policy::NetworkMode::kLoopback:
      network = "no network except its own loopback (a server and its client in one call can talk over TCP)";
      break;
    case policy::NetworkMode::kHost:
      network = "the host's network";
      break;
  }
  return "In it: " + network + "; no access to the host's files; " +
         (config.shared_workspace ? "a writable working directory /workspace shared by every call"
                                  : "a private writable working directory /workspace");
}

}  // namespace

std::string negotiate_version(const Json& requested) {
  if (requested.is_string()) {
    for (auto v : kVersions) {
      if (requested.get<std::string>() == v) return std::string(v);
    }
  }
  return std::string(kLatestProtocol);
}

bool has_structured_content(std::string_view version) { return version >= std::string_view("2025-06-18"); }

Json run_output_schema() {
  Json s = Json::object();
  s["type"] = "object";
  s["properties"] = {
      {"status",
       {{"type", "string"},
        {"enum", {"exited", "signaled", "timeout", "oom", "output_limit"}},
        {"description", "how the program ended"}}},
      {"exit_code", {{"type", {"integer", "null"}}, {"description", "its exit status, when it exited"}}},
      {"signal", {{"type", {"integer", "null"}}, {"description", "the signal that killed it, if one did"}}},
      {"timed_out", {{"type", "boolean"}}},
      {"duration_ms", {{"type", "number"}}},
      {"stdout", {{"type", "string"}}},
      {"stderr", {{"type", "string"}}},
      {"stdout_truncated", {{"type", "boolean"}, {"description", "the middle of stdout was dropped (output limit)"}}},
      {"stderr_truncated", {{"type", "boolean"}}},
      {"run_id", {{"type", "string"}}}};
  s["required"] = {"status",   "exit_code", "signal",           "timed_out",        "duration_ms",
                   "stdout",   "stderr",    "stdout_truncated", "stderr_truncated", "run_id"};
  s["additionalProperties"] = false;
  return s;
}

std::string session_instructions(const ToolConfig& config) {
  return "Each call runs in a fresh, isolated Linux sandbox. " + sandbox_contents(config) +
         ", where the call's files are placed. " +
         (config.shared_workspace ? "Files in /workspace persist from call to call; nothing else does."
                                  : "Nothing persists between calls.");
}

Json tools_list(const ToolConfig& config) {
  Json code_input = Json::object();
  code_input["type"] = "object";
  Json code_props = Json::object();
  code_props["language"] = {{"type", "string"}, {"enum", config.languages}, {"description", "the interpreter"}};
  code_props["code"] = {{"type", "string"}, {"description", "the program's source"}};
  code_props.update(common_properties(config));
  code_input["properties"] = std::move(code_props);
  code_input["required"] = {"language", "code"};
  code_input["additionalProperties"] = false;

  Json command_input = Json::object();
  command_input["type"] = "object";
  Json command_props = Json::object();
  command_props["argv"] = {{"type", "array"},
                           {"items", {{"type", "string"}}},
                           {"minItems", 1},
                           {"description", "the command and its arguments, e.g. [\"ls\", \"-l\"] (no shell)"}};
  command_props.update(common_properties(config));
  command_input["properties"] = std::move(command_props);
  command_input["required"] = {"argv"};
  command_input["additionalProperties"] = false;

  Json tools = Json::array();
  tools.push_back(tool("run_code", "Run code in a sandbox",
                       "Runs a program in a fresh, isolated Linux sandbox and returns its exit status and output; a "
                       "program that fails is a normal result. " + sandbox_contents(config) + ".",
                       std::move(code_input), config.structured));
  tools.push_back(tool("run_command", "Run a command in a sandbox",
                       "Runs a command (argv, no shell) in a fresh, isolated Linux sandbox and returns its exit "
                       "status and output. " + sandbox_contents(config) + ".",
                       std::move(command_input), config.structured));
  Json result = Json::object();
  result["tools"] = std::move(tools);
  return result;
}

bool known_tool(std::string_view tool) { return tool == "run_code" || tool == "run_command"; }

Result<rpc::RunRequest> request_from_arguments(std::string_view tool, const Json& arguments, const ToolConfig& config) {
  if (!arguments.is_object()) return make_error("arguments: expected an object");
  rpc::RunRequest r;
  for (const auto& [key, value] : arguments.items()) {
    const bool common = key == "stdin" || key == "files" || key == "timeout";
    const bool own = tool == "run_code" ? (key == "language" || key == "code") : key == "argv";
    if (!common && !own) {
      const char* known = tool == "run_code" ? "language, code, stdin, files, timeout" : "argv, stdin, files, timeout";
      return make_error("arguments." + key + ": unknown argument (" + std::string(tool) + " takes " + known + ")");
    }
  }
  if (tool == "run_code") {
    const auto language = arguments.find("language");
    const auto code = arguments.find("code");
    if (language == arguments.end() || !language->is_string()) return make_error("arguments.language: a string is required");
    if (code == arguments.end() || !code->is_string()) return make_error("arguments.code: a string is required");
    r.language = language->get<std::string>();
    r.code = code->get<std::string>();
    // The schema's enum: an empty or unknown name would otherwise reach the run as no command.
    if (std::find(config.languages.begin(), config.languages.end(), r.language) == config.languages.end()) {
      std::string offered;
      for (const auto& l : config.languages) offered += (offered.empty() ? "" : ", ") + l;
      return make_error("arguments.language: \"" + r.language + "\" is not offered (languages: " + offered + ")");
    }
  } else {
    const auto argv = arguments.find("argv");
    if (argv == arguments.end() || !argv->is_array() || argv->empty()) {
      return make_error("arguments.argv: a non-empty array of strings is required");
    }
    for (const auto& a : *argv) {
      if (!a.is_string()) return make_error("arguments.argv: every item must be a string");
      r.argv.push_back(a.get<std::string>());
      if (r.argv.back().find('\0') != std::string::npos) return make_error("arguments.argv: contains a NUL byte");
    }
    SBX_RETURN_IF_ERROR(rpc::check_exec_size(r, "arguments"));
  }
  if (const auto in = arguments.find("stdin"); in != arguments.end() && !in->is_null()) {
    if (!in->is_string()) return make_error("arguments.stdin: expected a string");
    r.stdin_data = in->get<std::string>();
  }
  if (const auto files = arguments.find("files"); files != arguments.end() && !files->is_null()) {
    SBX_ASSIGN_OR_RETURN(r.files, rpc::parse_files_field(*files, "arguments.files", rpc::RequestBounds{}));
  }
  if (const auto timeout = arguments.find("timeout"); timeout != arguments.end() && !timeout->is_null()) {
    SBX_ASSIGN_OR_RETURN(const auto d, rpc::parse_duration_field(*timeout, "arguments.timeout"));
    if (d > config.max_timeout) {
      return make_error("arguments.timeout: at most " +
                        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config.max_timeout).count()) +
                        " seconds");
    }
    r.limits.timeout = d;
  }
  return r;
}

Json tool_error(const std::string& message) {
  Json result = Json::object();
  result["content"] = Json::array({text_block(message)});
  result["isError"] = true;
  return result;
}

Json tool_result(const rpc::RunEnd& end, bool structured) {
  if (!end.verdict) return tool_error("sbx could not run this: " + end.error_message);
  const Json& v = *end.verdict;
  const std::string status = v.value("status", "");
  if (status == "setup_error") {
    std::string message = "the sandbox could not start the program";
    if (v.contains("error") && v["error"].is_object()) message += ": " + v["error"].value("message", "");
    return tool_error(message);
  }
  Json s = Json::object();
  s["status"] = status;
  s["exit_code"] = v.contains("exit_code") ? v["exit_code"] : Json(nullptr);
  s["signal"] = v.contains("signal") ? v["signal"] : Json(nullptr);
  s["timed_out"] = v.value("timed_out", false);
  s["duration_ms"] = v.value("duration_ms", 0.0);
  const Json out = v.value("stdout", Json(nullptr));
  const Json err = v.value("stderr", Json(nullptr));
  s["stdout"] = stream_text(out);
  s["stderr"] = stream_text(err);
  s["stdout_truncated"] = truncated(out);
  s["stderr_truncated"] = truncated(err);
  s["run_id"] = v.value("id", "");

  std::string summary;
  if (status == "exited") {
    summary = "exit code " + std::to_string(s["exit_code"].get<int>());
  } else if (status == "signaled") {
    const int sig = s["signal"].get<int>();
    const char* abbrev = sigabbrev_np(sig);
    summary = "killed by signal " + std::to_string(sig) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : "");
  } else if (status == "timeout") {
    summary = "timed out";
  } else if (status == "oom") {
    summary = "killed: out of memory";
  } else {
    summary = "killed: output limit reached";
  }
  char duration[48];
  std::snprintf(duration, sizeof(duration), " (%.0f ms)", s["duration_ms"].get<double>());
  std::string text = summary + duration + "\n";
  if (!s["stdout"].get<std::string>().empty()) text += "--- stdout ---\n" + s["stdout"].get<std::string>();
  if (!s["stderr"].get<std::string>().empty()) {
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += "--- stderr ---\n" + s["stderr"].get<std::string>();
  }
  Json result = Json::object();
  result["content"] = Json::array({text_block(std::move(text))});
  if (structured) result["structuredContent"] = std::move(s);
  result["isError"] = false;
  return result;
}

}  // namespace sbx::mcp
