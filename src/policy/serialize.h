// A policy written back out, in the schema the loader reads (man sbx-policy(5)). Loading what
// these print gives the same policy again. Only declarative content is written: no resolved
// host values (the workspace path, variables passed from the caller) and never a secret's value.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "policy/policy.h"

namespace sbx::policy {

// Every key, in schema order; optional limits that are unset are null.
nlohmann::ordered_json policy_to_json(const Policy& p);

// The same as YAML, after `header` lines (each written as a "# " comment).
std::string policy_to_yaml(const Policy& p, const std::string& header = "");

// Compact JSON of policy_to_json: the form the content hash is taken of.
std::string canonical_policy_json(const Policy& p);

// sha256 of canonical_policy_json, hex: which policy governed a run, recorded in its verdict.
std::string policy_sha256(const Policy& p);

}  // namespace sbx::policy
