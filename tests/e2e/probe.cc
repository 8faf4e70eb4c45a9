#include "probe.h"

#include <cstring>
#include <filesystem>
#include <sstream>

namespace sbx::e2e {

std::string probe_in_sandbox() {
  return "/probe/" + std::filesystem::path(probe_binary()).filename().string();
}

std::vector<std::string> probe_exec_args(const std::vector<std::string>& sbx_flags,
                                         const std::vector<std::string>& probe_args) {
  const std::string dir = std::filesystem::path(probe_binary()).parent_path().string();
  std::vector<std::string> args = {"exec", "-v", dir + ":/probe:ro"};
  args.insert(args.end(), sbx_flags.begin(), sbx_flags.end());
  args.push_back("--");
  args.push_back(probe_in_sandbox());
  args.insert(args.end(), probe_args.begin(), probe_args.end());
  return args;
}

RunResult run_probe(const std::vector<std::string>& sbx_flags, const std::vector<std::string>& probe_args,
                    const RunOptions& options) {
  return run_sbx(probe_exec_args(sbx_flags, probe_args), options);
}

Process start_probe(const std::vector<std::string>& sbx_flags, const std::vector<std::string>& probe_args,
                    const RunOptions& options) {
  return start_sbx(probe_exec_args(sbx_flags, probe_args), options);
}

RunResult run_probe_on_host(const std::vector<std::string>& probe_args, const RunOptions& options) {
  std::vector<std::string> argv = {probe_binary()};
  argv.insert(argv.end(), probe_args.begin(), probe_args.end());
  return run(argv, options);
}

testing::AssertionResult Succeeded(const RunResult& r) {
  if (r.status() == 0 && r.err.empty()) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "expected exit 0 and an empty stderr" << r;
}

testing::AssertionResult FailedWith(const RunResult& r, std::initializer_list<int> errnos) {
  for (const int e : errnos) {
    if (r.status() == e && r.err.find("sbx: error") == std::string::npos) return testing::AssertionSuccess();
  }
  auto failure = testing::AssertionFailure() << "expected the probe to fail with";
  for (const int e : errnos) failure << " " << strerrorname_np(e) << " (" << e << ")";
  return failure << r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    const size_t eq = word.find('=');
    if (eq != std::string::npos) out[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return out;
}

}  // namespace sbx::e2e
