// Bytes <-> JSON strings for the protocol: base64 for binary payloads, and UTF-8 checks so
// streamed output chunks stay text when the program prints text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sbx::rpc {

std::string base64_encode(std::string_view bytes);

// Strict RFC 4648 (standard alphabet, padding required, no whitespace).
Result<std::string> base64_decode(std::string_view text);

bool is_valid_utf8(std::string_view bytes);

// How many bytes at the end of `bytes` are the start of a UTF-8 sequence that the next chunk
// may complete (0 to 3). Holding them back keeps a character split across reads in one piece.
size_t incomplete_utf8_tail(std::string_view bytes);

}  // namespace sbx::rpc
