// Test helpers for the line protocols: a child process talked to over pipes (sbx rpc, sbx mcp,
// sbx serve), a unix-socket client, and checks that nothing a run started is left behind.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sbx_runner.h"

namespace sbx::test {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && v[0] != '\0' ? v : fallback;
}
using e2e::sbx_binary;
using e2e::source_dir;

// Reads newline-terminated lines from a descriptor with a deadline.
class LineReader {
 public:
  explicit LineReader(int fd = -1) : fd_(fd) {}
  void reset(int fd) { fd_ = fd; }
  std::optional<std::string> line(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      if (eof_) return std::nullopt;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char chunk[65536];
      const ssize_t n = ::read(fd_, chunk, sizeof(chunk));
      if (n <= 0) {
        eof_ = true;
      } else {
        buf_.append(chunk, static_cast<size_t>(n));
      }
    }
  }
  // The next line that parses as a JSON object, or null on timeout/EOF.
  Json message(std::chrono::milliseconds timeout = 20s) {
    auto l = line(timeout);
    if (!l) return Json();
    return Json::parse(*l, nullptr, false);
  }
  bool eof() const { return eof_; }

 private:
  int fd_;
  std::string buf_;
  bool eof_ = false;
};

// Answers that arrived while waiting for another one, kept for whoever asks for them.
class AnswerQueue {
 public:
  Json find(const Json& id, std::vector<Json>* seen, std::chrono::milliseconds timeout,
            const std::function<Json(std::chrono::milliseconds)>& next) {
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if ((*it)["id"] == id) {
        Json m = std::move(*it);
        kept_.erase(it);
        return m;
      }
    }
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      Json m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (m.is_null() || m.is_discarded()) break;
      if (seen != nullptr) seen->push_back(m);
      if (!m.contains("id") || !(m.contains("result") || m.contains("error"))) continue;
      if (m["id"] == id) return m;
      kept_.push_back(std::move(m));
    }
    ADD_FAILURE() << "no answer to id " << id.dump();
    return Json();
  }

 private:
  std::vector<Json> kept_;
};

// A child with its stdin, stdout and stderr on pipes.
class Child {
 public:
  Child(std::vector<std::string> argv, std::vector<std::string> extra_env = {}) {
    int in[2], out[2], err[2];
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      if (::chdir("/tmp") != 0) ::_exit(126);
      for (auto& e : extra_env) ::putenv(e.data());
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    stdout_.reset(out_);
    ::fcntl(err_, F_SETFL, O_NONBLOCK);
  }
  Child(const Child&) = delete;
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_, err_}) {
      if (fd >= 0) ::close(fd);
    }
  }

  pid_t pid() const { return pid_; }
  void send(const std::string& line) {
    const std::string data = line + "\n";
    ASSERT_EQ(::write(in_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }
  void send_raw(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(in_, data.data() + done, data.size() - done);
      ASSERT_GT(n, 0);
      done += static_cast<size_t>(n);
    }
  }
  void send(const Json& message) { send(message.dump()); }
  Json message(std::chrono::milliseconds timeout = 20s) { return stdout_.message(timeout); }
  std::optional<std::string> line(std::chrono::milliseconds timeout = 20s) { return stdout_.line(timeout); }
  // Messages until one answers `id` (others, like run.output, are collected too).
  Json answer(const Json& id, std::vector<Json>* seen = nullptr, std::chrono::milliseconds timeout = 30s) {
    return answers_.find(id, seen, timeout, [this](std::chrono::milliseconds t) { return message(t); });
  }
  void close_stdin() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }
  void close_stdout() {
    if (out_ >= 0) ::close(out_);
    out_ = -1;
  }
  // Exit status (128+signal if killed), or -1 if it did not end in time (then it is killed).
  int wait(std::chrono::milliseconds timeout = 20s) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      drain_stderr();
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        drain_stderr();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    return -1;
  }
  const std::string& stderr_text() {
    drain_stderr();
    return stderr_;
  }

 private:
  void drain_stderr() {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(err_, buf, sizeof(buf))) > 0) stderr_.append(buf, static_cast<size_t>(n));
  }
  pid_t pid_ = -1;
  bool reaped_ = false;
  int in_ = -1, out_ = -1, err_ = -1;
  LineReader stdout_;
  std::string stderr_;
  AnswerQueue answers_;
};

// A connection to a unix socket, one JSON message per line.
class SocketClient {
 public:
  explicit SocketClient(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    reader_.reset(fd_);
  }
  SocketClient(const SocketClient&) = delete;
  ~SocketClient() { close(); }
  bool connected() const { return connected_; }
  void send(const Json& message) {
    const std::string data = message.dump() + "\n";
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  }
  Json message(std::chrono::milliseconds timeout = 20s) { return reader_.message(timeout); }
  Json answer(const Json& id, std::vector<Json>* seen = nullptr, std::chrono::milliseconds timeout = 30s) {
    return answers_.find(id, seen, timeout, [this](std::chrono::milliseconds t) { return message(t); });
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  bool eof(std::chrono::milliseconds timeout = 5s) {
    reader_.line(timeout);
    return reader_.eof();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  LineReader reader_;
  AnswerQueue answers_;
};

inline Json request(const Json& id, const std::string& method, Json params = Json::object()) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

// Processes (of any user) whose command line contains `marker`.
inline int processes_with(const std::string& marker) {
  int count = 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return -1;
  while (const dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(marker) != std::string::npos) ++count;
  }
  ::closedir(proc);
  return count;
}

// Waits until no process carries `marker`; true if that happened within `timeout`.
inline bool none_left(const std::string& marker, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (processes_with(marker) == 0) return true;
    std::this_thread::sleep_for(50ms);
  }
  return processes_with(marker) == 0;
}

inline bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

// A unique string to put on a sandboxed command line, found again in /proc.
inline std::string marker(const std::string& what) {
  return "sbx-e2e-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
}

// A duration for sleep(1) that doubles as a unique marker: "sleep 1000.123456" runs for 1000s
// and is found in /proc by its own command line.
inline std::string sleep_marker() {
  return "1000." + std::to_string(::getpid()) + std::to_string(Clock::now().time_since_epoch().count() % 1000000);
}

// Private run directories (sbx-run.*) in `dir`.
inline int run_dirs_in(const std::string& dir) {
  int count = 0;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  while (const dirent* e = ::readdir(d)) {
    if (std::string(e->d_name).rfind("sbx-run.", 0) == 0) ++count;
  }
  ::closedir(d);
  return count;
}

// Validates messages against src/rpc/schema/protocol.schema.json; "" when all are valid.
inline std::string protocol_schema_errors(const std::vector<Json>& messages) {
  char path[] = "/tmp/sbx-rpc-messages.XXXXXX";
  const int fd = ::mkstemp(path);
  std::string text;
  for (const auto& m : messages) text += m.dump() + "\n";
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return "write failed";
  ::close(fd);
  const std::string cmd =
      "/usr/bin/python3 " + source_dir() + "/tests/e2e/validate_rpc.py " + source_dir() + " < " + path + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    if (status == 0) out.clear();
  } else {
    out = "popen failed";
  }
  ::unlink(path);
  return out;
}

}  // namespace sbx::test
