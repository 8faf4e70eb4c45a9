#include "selftest/targets.h"

#include <nlohmann/json.hpp>

namespace sbx::selftest {

std::string targets_to_json(const Targets& t) {
  nlohmann::json j;
  j["canary_dir"] = t.canary_dir;
  j["canary_file"] = t.canary_file;
  j["canary_text"] = t.canary_text;
  j["workspace"] = t.workspace;
  j["sbx_binary"] = t.sbx_binary;
  j["canary_pid"] = t.canary_pid;
  j["tcp_port"] = t.tcp_port;
  j["tcp6_port"] = t.tcp6_port;
  j["udp_port"] = t.udp_port;
  j["abstract_socket"] = t.abstract_socket;
  j["unix_socket"] = t.unix_socket;
  j["env_canary"] = t.env_canary;
  j["hostname"] = t.hostname;
  j["machine_id"] = t.machine_id;
  j["leaked_fd"] = t.leaked_fd;
  return j.dump();
}

Result<Targets> targets_from_json(std::string_view text) {
  const auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return make_error("selftest: the targets are not a JSON object");
  Targets t;
  try {
    t.canary_dir = j.at("canary_dir").get<std::string>();
    t.canary_file = j.at("canary_file").get<std::string>();
    t.canary_text = j.at("canary_text").get<std::string>();
    t.workspace = j.at("workspace").get<std::string>();
    t.sbx_binary = j.at("sbx_binary").get<std::string>();
    t.canary_pid = j.at("canary_pid").get<pid_t>();
    t.tcp_port = j.at("tcp_port").get<int>();
    t.tcp6_port = j.at("tcp6_port").get<int>();
    t.udp_port = j.at("udp_port").get<int>();
    t.abstract_socket = j.at("abstract_socket").get<std::string>();
    t.unix_socket = j.at("unix_socket").get<std::string>();
    t.env_canary = j.at("env_canary").get<std::string>();
    t.hostname = j.at("hostname").get<std::string>();
    t.machine_id = j.at("machine_id").get<std::string>();
    t.leaked_fd = j.at("leaked_fd").get<int>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("selftest: targets: ") + e.what());
  }
  return t;
}

}  // namespace sbx::selftest
