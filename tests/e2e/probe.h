// Running sbx-probe inside the sandbox (and, for the allow half of some pairs, on the host),
// and judging its answers. The probe prints one machine-readable line per fact and exits 0 on
// success or with the errno that stopped it (see tests/probe/sbx_probe.cc).
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "sbx_runner.h"

namespace sbx::e2e {

// Where the probe appears inside the sandbox: its build directory is bound read-only at /probe
// (it may live under /root when the suite runs as root; sbx binds it anyway).
std::string probe_in_sandbox();

// `exec -v PROBE_DIR:/probe:ro SBX_FLAGS... -- /probe/sbx-probe PROBE_ARGS...`
std::vector<std::string> probe_exec_args(const std::vector<std::string>& sbx_flags,
                                         const std::vector<std::string>& probe_args);
RunResult run_probe(const std::vector<std::string>& sbx_flags, const std::vector<std::string>& probe_args,
                    const RunOptions& options = {});
Process start_probe(const std::vector<std::string>& sbx_flags, const std::vector<std::string>& probe_args,
                    const RunOptions& options = {});

// The same probe run directly on the host, outside any sandbox.
RunResult run_probe_on_host(const std::vector<std::string>& probe_args, const RunOptions& options = {});

// Exit 0 and nothing on stderr (sbx says nothing on success without -v).
testing::AssertionResult Succeeded(const RunResult& r);
// The probe ran and reported one of `errnos`: the sandbox started, the attempt was refused.
testing::AssertionResult FailedWith(const RunResult& r, std::initializer_list<int> errnos);

std::vector<std::string> lines(const std::string& text);
// "KEY=VALUE" per line, or several "KEY=VALUE" words on one line (the probe's `ids`).
std::map<std::string, std::string> key_values(const std::string& text);

}  // namespace sbx::e2e
