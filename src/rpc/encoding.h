// Bytes <-> JSON strings for the protocol: base64 for binary payloads, and UTF-8 checks so
// streamed output chunks stay text when the program prints text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/utf8.h"

namespace sbx::rpc {

std::string base64_encode(std::string_view bytes);

// Strict RFC 4648 (standard alphabet, padding required, no whitespace).
Result<std::string> base64_decode(std::string_view text);

using sbx::incomplete_utf8_tail;
using sbx::is_valid_utf8;

}  // namespace sbx::rpc
