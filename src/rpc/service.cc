#include "rpc/service.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/process_env.h"
#include "policy/defaults.h"
#include "policy/serialize.h"
#include "rootfs/store.h"
#include "rpc/languages.h"
#include "rpc/offered_trees.h"
#include "rpc/worker_process.h"

namespace sbx::rpc {
namespace {

// Runs `binary doctor --json` and returns its report, waiting at most ten seconds.
Json run_doctor(const std::string& binary) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Json{{"error", "pipe failed"}};
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  WorkerStdio stdio;
  stdio.stdout_fd = write_end.get();
  stdio.stderr_fd = write_end.get();
  auto worker = WorkerProcess::spawn({binary, "-q", "doctor", "--json"}, {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}, stdio);
  write_end.reset();
  if (!worker) return Json{{"error", worker.error().message}};
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (text.size() < (1u << 20)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{read_end.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[8192];
    const ssize_t n = ::read(read_end.get(), buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  worker->signal(SIGKILL);
  (void)worker->reap();
  Json report = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (report.is_object()) return report;
  return Json{{"error", "sbx doctor --json gave no report"}};
}

}  // namespace

Json Caller::json() const {
  Json j = Json::object();
  j["uid"] = uid;
  j["gid"] = gid;
  j["pid"] = pid;
  return j;
}

std::string format_run_record(const RunRecord& r) {
  char duration[32];
  std::snprintf(duration, sizeof(duration), "%.1f", r.duration_ms);
  // logfmt: one line, key=value, values quoted only when they need it.
  auto value = [](const std::string& v) {
    if (!v.empty() && v.find_first_of(" \"=\\") == std::string::npos) return v;
    return Json(v).dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
  };
  return "run caller_uid=" + std::to_string(r.caller->uid) + " caller_gid=" + std::to_string(r.caller->gid) +
         " caller_pid=" + std::to_string(r.caller->pid) + " request=" + value(r.request_id) +
         " policy=" + value(r.policy.empty() ? "default" : r.policy) + " status=" + value(r.status) +
         " exit_status=" + std::to_string(r.exit_status) + " duration_ms=" + duration +
         (r.verdict_id.empty() ? "" : " verdict=" + value(r.verdict_id));
}

const Json& HostFacts::doctor() {
  if (!doctor_) doctor_ = run_doctor(binary_);
  return *doctor_;
}

std::vector<policy::SearchDir> policy_dirs_from_environment() { return policy::policy_search_path(process_env); }

std::string policy_path_variable(const std::vector<policy::SearchDir>& dirs) {
  std::string joined;
  for (const auto& d : dirs) {
    if (d.path.find(':') != std::string::npos) continue;  // cannot be written in a PATH list
    joined += (joined.empty() ? "" : ":") + d.path;
  }
  return "SBX_POLICY_PATH=" + joined;
}

Result<policy::Policy> load_named_policy(const std::string& name, const std::vector<policy::SearchDir>& dirs) {
  if (name.empty() || policy::names_a_file(name) || name[0] == '.') {
    return make_error("params.policy: \"" + name + "\" is not a policy name (give a name from capabilities, not a path)");
  }
  if (name == "default") return policy::default_policy();
  auto loaded = policy::load_policy(name, dirs, "/");
  if (!loaded) return make_error("params.policy: " + loaded.error().message);
  return std::move(loaded->policy);
}

namespace {

// Every policy the search path offers (the first of each name), with its hash as a verdict
// would record it, and whether this caller may use it.
Json policies_json(const std::vector<policy::SearchDir>& dirs, const CallerLimits& limits) {
  Json out = Json::array();
  auto allowed = [&](const std::string& name) {
    return !limits.policies || std::find(limits.policies->begin(), limits.policies->end(), name) != limits.policies->end();
  };
  bool saw_default = false;
  for (const auto& listing : policy::list_policies(dirs)) {
    if (listing.shadowed) continue;
    Json p = Json::object();
    p["name"] = listing.name;
    p["allowed"] = allowed(listing.name);
    auto loaded = policy::load_policy(listing.name, dirs, "/");
    if (loaded) {
      p["sha256"] = policy::policy_sha256(loaded->policy);
    } else {
      p["error"] = loaded.error().message;
    }
    saw_default = saw_default || listing.name == "default";
    out.push_back(std::move(p));
  }
  if (!saw_default) out.push_back(Json{{"name", "default"}, {"allowed", allowed("default")}});
  return out;
}

}  // namespace

std::vector<std::string> offered_languages(const std::vector<std::string>& allowed) {
  // The stores a worker looks in: it gets SBX_ROOTFS_STORE, XDG_DATA_HOME and HOME from here.
  const auto stores = rootfs::lookup_store_dirs(::geteuid(), process_env);
  std::vector<std::string> out;
  for (const auto& language : all_languages()) {
    const bool wanted = allowed.empty() || std::find(allowed.begin(), allowed.end(), language.name) != allowed.end();
    if (wanted && language_installed(language, stores)) out.push_back(language.name);
  }
  return out;
}

std::pair<int, std::string> admit_request(RunRequest& request, const Service& service, const Caller& caller) {
  if (!request.language.empty()) {
    const Language* language = find_language(request.language);
    const auto& offered = service.languages;
    if (language == nullptr || std::find(offered.begin(), offered.end(), language->name) == offered.end()) {
      std::string list;
      for (const auto& name : offered) list += (list.empty() ? "" : ", ") + name;
      return {kInvalidParams, "params.language: \"" + request.language + "\" is not offered here (offered: " +
                                  (list.empty() ? "none" : list) + ")"};
    }
    request.language = language->name;
  }
  if (!request.policy.empty()) {
    if (auto found = load_named_policy(request.policy, service.policy_dirs); !found) {
      return {kInvalidParams, found.error().message};
    }
  }
  if (auto allowed = apply_caller_limits(request, caller.limits); !allowed) {
    return {kForbidden, allowed.error().message};
  }
  return {0, ""};
}

Json capabilities_json(Service& service, const Caller& caller) {
  Json j = Json::object();
  j["protocol"] = std::string(kProtocolName);
  j["version"] = SBX_VERSION;
  j["methods"] = {"run", "cancel", "signal", "health", "capabilities"};
  j["notifications"] = {"run.output"};
  Json languages = Json::array();
  for (const auto& name : service.languages) {
    const Language* language = find_language(name);
    Json l = Json::object();
    l["name"] = name;
    l["aliases"] = language->aliases;
    l["interpreter"] = language->interpreter;
    l["file"] = std::string(kCodeDir) + "/" + language->file_name;
    languages.push_back(std::move(l));
  }
  j["languages"] = std::move(languages);
  Json policies = Json::object();
  policies["available"] = policies_json(service.policy_dirs, caller.limits);
  policies["allowed"] = caller.limits.policies ? Json(*caller.limits.policies) : Json(nullptr);
  j["policies"] = std::move(policies);
  j["limits"] = caller_limits_json(caller.limits);
  j["trees"] = offered_trees_json(caller.limits, rootfs::lookup_store_dirs(::geteuid(), process_env));
  Json bounds = Json::object();
  bounds["max_message_bytes"] = service.max_line_bytes;
  bounds["max_argv"] = service.bounds.max_argv;
  bounds["max_files"] = service.bounds.max_files;
  bounds["max_file_bytes"] = service.bounds.max_file_bytes;
  bounds["max_stdin_bytes"] = service.bounds.max_stdin_bytes;
  j["request_bounds"] = std::move(bounds);
  Json concurrency = Json::object();
  concurrency["max_running"] = service.runs.admission().max_running;
  concurrency["max_queued"] = service.runs.admission().max_queued;
  j["concurrency"] = std::move(concurrency);
  j["caller"] = caller.json();
  j["doctor"] = service.facts.doctor();
  return j;
}

Json health_json(const Service& service, const Caller& caller) {
  Json j = Json::object();
  j["status"] = service.draining ? "draining" : "ok";
  j["protocol"] = std::string(kProtocolName);
  j["version"] = SBX_VERSION;
  j["running"] = service.runs.running();
  j["queued"] = service.runs.queued();
  j["max_running"] = service.runs.admission().max_running;
  j["max_queued"] = service.runs.admission().max_queued;
  j["caller_in_flight"] = service.runs.in_flight_for(caller.key());
  j["uptime_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - service.started).count();
  return j;
}

}  // namespace sbx::rpc
