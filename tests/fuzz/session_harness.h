// A service that admits no run (every `run` that passes validation is answered busy), so the
// real sbx.rpc/1 and MCP sessions can be fed any bytes without a worker ever starting; and the
// checks every reply must pass.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/jsonrpc.h"
#include "rpc/line_framer.h"
#include "rpc/line_session.h"
#include "rpc/run_manager.h"
#include "rpc/service.h"

namespace sbx::fuzz {

using rpc::Json;

[[noreturn]] inline void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

class NoRunService {
 public:
  static constexpr size_t kMaxLine = 4096;
  NoRunService() : runs_(loop_, rpc::RunSettings{}, rpc::Admission{0, 0}), facts_("/bin/false"), service_(loop_, runs_, facts_) {
    service_.languages = {"python", "bash"};
    service_.max_line_bytes = kMaxLine;
    caller_.uid = 1000;
    caller_.gid = 1000;
    caller_.limits.max_timeout = std::chrono::seconds(5);
  }
  rpc::Service& service() { return service_; }
  const rpc::Caller& caller() const { return caller_; }

 private:
  rpc::EventLoop loop_;
  rpc::RunManager runs_;
  rpc::HostFacts facts_;
  rpc::Service service_;
  rpc::Caller caller_;
};

// Every reply: one line of JSON-RPC 2.0, a result or an error.
inline void check_reply(std::string_view line) {
  if (line.find('\n') != std::string_view::npos) fail("a reply spans several lines", line);
  const Json reply = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded()) fail("a reply is not valid JSON", line);
  if (!reply.is_object() || reply.value("jsonrpc", "") != "2.0") fail("a reply is not JSON-RPC 2.0", line);
  if (reply.contains("result") == reply.contains("error")) fail("a reply has both or neither of result and error", line);
}

// The lines a connection makes of the bytes, arriving `chunk` bytes at a time (by default all
// at once), with the last line even without its newline.
inline std::vector<rpc::Frame> frames_of(std::string_view bytes, size_t chunk = std::string_view::npos) {
  rpc::LineFramer framer(NoRunService::kMaxLine);
  std::vector<rpc::Frame> frames;
  if (chunk == 0) chunk = 1;
  for (size_t at = 0; at < bytes.size(); at += std::min(chunk, bytes.size() - at)) {
    framer.feed(bytes.substr(at, chunk), frames);
  }
  if (auto last = framer.finish()) frames.push_back(std::move(*last));
  return frames;
}

// Feeds the bytes to a session the way a connection does (framed, oversized lines reported),
// and checks that each request got exactly one reply and each notification none.
inline void feed_session(rpc::LineSession& session, std::vector<std::string>& sent, std::string_view bytes) {
  for (const auto& frame : frames_of(bytes)) {
    sent.clear();
    if (frame.oversized) {
      session.handle_oversized(frame.bytes);
      if (sent.size() != 1) fail("an oversized line was not answered once", std::to_string(frame.bytes));
    } else {
      const auto kind = rpc::parse_message(frame.line).kind;
      session.handle_line(frame.line);
      const bool answered = kind == rpc::Incoming::Kind::kRequest || kind == rpc::Incoming::Kind::kInvalid;
      if (sent.size() != (answered ? 1u : 0u)) {
        fail(answered ? "a request was not answered exactly once" : "a notification or response was answered",
             frame.line);
      }
    }
    for (const auto& line : sent) check_reply(line);
  }
}

}  // namespace sbx::fuzz
