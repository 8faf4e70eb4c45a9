// What a front end's protocol (sbx.rpc/1 or MCP) looks like to the transport that carries it.
#pragma once

#include <cstddef>
#include <string>

namespace sbx::rpc {

class LineSession {
 public:
  virtual ~LineSession() = default;
  virtual void handle_line(const std::string& line) = 0;
  virtual void handle_oversized(size_t bytes) = 0;
  // The peer is gone: kill its runs, send nothing more.
  virtual void disconnect() = 0;
  virtual size_t active_runs() const = 0;
};

}  // namespace sbx::rpc
