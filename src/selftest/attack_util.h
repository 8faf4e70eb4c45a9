// Small helpers the attacks share. Attacks run in the `sbx selftest --attack` process, inside a
// sandbox or as a control; none of this runs in sbx's own supervisor.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "selftest/attack.h"

namespace sbx::selftest {

inline Report escaped(std::string detail) { return {true, std::move(detail)}; }
inline Report blocked(std::string detail) { return {false, std::move(detail)}; }

// "EPERM (Operation not permitted)" for the current errno.
std::string errno_text();
std::string errno_text(int error);

std::optional<std::string> read_text(const std::string& path, size_t limit = 1 << 20);

// Controls that need privileges a sandbox would give only inside its own namespaces: a new
// user namespace (mapping the caller to root in it) plus `extra` CLONE_NEW* flags.
bool enter_own_namespaces(int extra_flags);

// Runs `body` in a forked child and returns its exit status (0-255), or 128+signal if it was
// killed; -1 if it could not be forked. For attacks the kernel or a filter may kill outright.
int in_child(const std::function<int()>& body);

}  // namespace sbx::selftest
