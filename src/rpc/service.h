// What every session of one front end shares: the run manager, request bounds, the host facts
// `capabilities` reports, and the per-run log. Plus who a caller is.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "policy/search_path.h"
#include "rpc/caller_limits.h"
#include "rpc/event_loop.h"
#include "rpc/jsonrpc.h"
#include "rpc/run_manager.h"
#include "rpc/run_request.h"

namespace sbx::rpc {

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  CallerLimits limits;
  std::string key() const { return "uid:" + std::to_string(uid); }
  Json json() const;
};

// One structured line per run: who, which policy, how it ended, how long. Never argv, env or
// secrets.
struct RunRecord {
  const Caller* caller;
  std::string request_id;  // the JSON-RPC id as sent
  std::string policy;
  std::string status;  // the verdict's status, or "error:<code name>"
  int exit_status = 0;
  double duration_ms = 0;
  std::string verdict_id;
};
std::string format_run_record(const RunRecord& record);

// `sbx doctor --json`, run once when first asked for and kept.
class HostFacts {
 public:
  explicit HostFacts(std::string binary) : binary_(std::move(binary)) {}
  const Json& doctor();

 private:
  std::string binary_;
  std::optional<Json> doctor_;
};

// Where this process finds named policies: policy_search_path() over its own environment.
// Workers are given the same list as SBX_POLICY_PATH, so they find the same files.
std::vector<policy::SearchDir> policy_dirs_from_environment();
std::string policy_path_variable(const std::vector<policy::SearchDir>& dirs);

struct Service {
  Service(EventLoop& l, RunManager& r, HostFacts& f)
      : loop(l), runs(r), facts(f), policy_dirs(policy_dirs_from_environment()) {}
  EventLoop& loop;
  RunManager& runs;
  HostFacts& facts;
  RequestBounds bounds;
  size_t max_line_bytes = 32u << 20;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::vector<std::string> languages;  // offered languages (names); empty: every installed one
  std::function<void(const RunRecord&)> log_run;
  bool draining = false;
  std::vector<policy::SearchDir> policy_dirs;
};

// The policy `name` names, checked to be a policy name (never a path: a caller must not make
// the service read files of its choosing) that the search path holds and that loads. The error
// is the params.policy message.
Result<policy::Policy> load_named_policy(const std::string& name, const std::vector<policy::SearchDir>& dirs);

// The offered languages: `allowed` names (or every installed one when empty) that exist on the
// host or in a tree of the stores this process's workers look in.
std::vector<std::string> offered_languages(const std::vector<std::string>& allowed);

// Checks a request against what this service offers (language, named policy), then the
// caller's limits. Returns the JSON-RPC error code with the message, 0 when fine.
std::pair<int, std::string> admit_request(RunRequest& request, const Service& service, const Caller& caller);

Json capabilities_json(Service& service, const Caller& caller);
Json health_json(const Service& service, const Caller& caller);

}  // namespace sbx::rpc
