// Text from outside (flags, file names, policy YAML, yaml-cpp's messages quoting it) ends up in
// sbx's own messages. Printed raw, a newline in it would forge a second message line and an
// escape sequence would drive the caller's terminal; so messages are printed through this.
#pragma once

#include <string>
#include <string_view>

namespace sbx {

// `text` with control characters written as escapes: \n, \r, \t, \xHH for the other C0 bytes
// and DEL, \u00HH for the C1 controls in UTF-8 (U+0080..U+009F, which some terminals obey).
// Everything else, other UTF-8 included, is kept as it is.
std::string one_line(std::string_view text);

}  // namespace sbx
