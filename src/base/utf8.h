// UTF-8 checks shared by the verdict (output is text when it is valid UTF-8, else base64), the
// protocol's streamed chunks, and the YAML files sbx reads.
#pragma once

#include <cstddef>
#include <string_view>

namespace sbx {

// Strict: no overlong forms, no surrogates, nothing past U+10FFFF, no sequence cut short.
bool is_valid_utf8(std::string_view bytes);

// Where the first byte that is not part of a valid sequence is (bytes.size() when all are).
size_t valid_utf8_prefix(std::string_view bytes);

// How many bytes at the end of `bytes` are the start of a UTF-8 sequence that the next chunk
// may complete (0 to 3). Holding them back keeps a character split across reads in one piece.
size_t incomplete_utf8_tail(std::string_view bytes);

}  // namespace sbx
