// The names of the network modes, one spelling for the flags, the policy files, the protocol
// and the verdict.
#pragma once

#include <optional>
#include <string_view>

#include "policy/policy.h"

namespace sbx::policy {

inline constexpr const char* kNetworkModeChoices = "none, loopback or host";

constexpr std::string_view network_mode_name(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::kNone: return "none";
    case NetworkMode::kLoopback: return "loopback";
    case NetworkMode::kHost: return "host";
  }
  return "none";
}

constexpr std::optional<NetworkMode> network_mode_named(std::string_view name) {
  for (auto mode : {NetworkMode::kNone, NetworkMode::kLoopback, NetworkMode::kHost}) {
    if (network_mode_name(mode) == name) return mode;
  }
  return std::nullopt;
}

// Whether the sandbox gets a network namespace of its own (kNone and kLoopback).
constexpr bool has_own_network(NetworkMode mode) { return mode != NetworkMode::kHost; }

}  // namespace sbx::policy
