// The sbx.rpc/1 wire (`sbx rpc` on stdio and `sbx serve` on its socket): any bytes through the
// line framer into a real RpcSession (a service that admits no run, so nothing is started),
// and each `run` request's params through parse_run_params. Nothing may crash or throw; every
// request gets exactly one reply, a line of valid JSON-RPC; the framer gives the same lines
// however the bytes are split; a run request that validates names a command and keeps its
// files inside the workspace; any bytes a program prints survive being put into a reply.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/encoding.h"
#include "rpc/rpc_session.h"
#include "rpc/run_request.h"
#include "session_harness.h"

namespace {

using sbx::fuzz::fail;
using sbx::fuzz::frames_of;
using sbx::rpc::Json;

// Absolute, empty, or with a ".." component: a path that could leave /workspace.
bool climbs_out(std::string_view path) {
  if (path.empty() || path.front() == '/') return true;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    if (path.substr(start, slash - start) == "..") return true;
    start = slash + 1;
  }
  return false;
}

void check_framing(std::string_view input, size_t chunk) {
  const auto whole = frames_of(input);
  const auto pieces = frames_of(input, chunk);
  if (whole.size() != pieces.size()) fail("the framer split the same bytes into a different number of lines", input);
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].line != pieces[i].line || whole[i].oversized != pieces[i].oversized ||
        whole[i].bytes != pieces[i].bytes) {
      fail("the framer gave a different line when the bytes came in pieces", whole[i].line);
    }
    if (whole[i].oversized != (whole[i].bytes > sbx::fuzz::NoRunService::kMaxLine)) {
      fail("a line over the limit was not reported oversized, or one within it was", input);
    }
  }
}

void check_run_params(const std::string& line) {
  const auto in = sbx::rpc::parse_message(line);
  if (in.kind != sbx::rpc::Incoming::Kind::kRequest || in.method != "run" || !in.params.is_object()) return;
  auto request = sbx::rpc::parse_run_params(in.params);
  if (!request) {
    if (request.error().message.rfind("params", 0) != 0) fail("a params error that names no field", request.error().message);
    return;
  }
  if (request->argv.empty() == request->language.empty()) fail("a run request with both or neither of argv and language", line);
  for (const auto& file : request->files) {
    if (climbs_out(file.path)) fail("a workspace file path that leaves the workspace", file.path);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sbx::fuzz::NoRunService service;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  check_framing(input, size == 0 ? 1 : 1 + data[0] % 17);

  std::vector<std::string> sent;
  sbx::rpc::RpcSession session(
      service.service(), service.caller(), [&sent](std::string line) { sent.push_back(std::move(line)); },
      [] { return false; });
  sbx::fuzz::feed_session(session, sent, input);

  for (const auto& frame : frames_of(input)) {
    if (!frame.oversized) check_run_params(frame.line);
  }

  // Program output is arbitrary bytes; a reply must carry it (invalid UTF-8 replaced).
  sbx::fuzz::check_reply(sbx::rpc::result_line(Json(1), Json{{"stdout", std::string(input)}}));
  const std::string encoded = sbx::rpc::base64_encode(input);
  auto decoded = sbx::rpc::base64_decode(encoded);
  if (!decoded || *decoded != input) fail("base64_decode(base64_encode(x)) is not x", encoded);
  (void)sbx::rpc::base64_decode(input);
  return 0;
}
