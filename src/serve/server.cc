#include "serve/server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>

#include <spdlog/spdlog.h>

#include "app/service_options.h"
#include "rpc/line_connection.h"
#include "rpc/rpc_session.h"
#include "rpc/service.h"
#include "rpc/shutdown_signals.h"
#include "serve/peer_credentials.h"

namespace sbx::serve {
namespace {

constexpr size_t kOutputHighWater = 1u << 20;
constexpr auto kFinalFlush = std::chrono::seconds(5);
// Enough for a burst at the usual concurrency (never more than max_concurrency).
constexpr size_t kDirectoriesAhead = 4;

rpc::RunSettings settings_for(const ServeConfig& config) {
  app::ServiceFlags flags;
  flags.run_dir = config.run_dir;
  rpc::RunSettings settings = app::run_settings(flags);
  // A long-lived service makes run directories ahead. (sbx rpc and sbx mcp do not: an agent
  // that kills its subprocess would leave them behind in /tmp, unused, each time.)
  settings.directories_ahead = kDirectoriesAhead;
  return settings;
}

class Server {
 public:
  explicit Server(ServeOptions options)
      : options_(std::move(options)),
        runs_(loop_, settings_for(options_.config), options_.config.admission),
        facts_("/proc/self/exe"),
        service_(loop_, runs_, facts_) {
    service_.max_line_bytes = options_.config.max_message;
    service_.languages = rpc::offered_languages(options_.config.languages);
    service_.log_run = [](const rpc::RunRecord& record) { spdlog::info("{}", rpc::format_run_record(record)); };
  }

  int run();

 private:
  struct Client {
    rpc::Caller caller;
    std::unique_ptr<rpc::LineConnection> connection;
    std::unique_ptr<rpc::RpcSession> session;
    bool input_done = false;
    bool gone = false;
  };

  void on_listener(int fd);
  void admit(UniqueFd fd);
  void refuse(UniqueFd fd, int code, const std::string& message);
  void tidy();
  void begin_drain(int sig);
  void close_listeners();

  ServeOptions options_;
  rpc::EventLoop loop_;
  rpc::RunManager runs_;
  rpc::HostFacts facts_;
  rpc::Service service_;
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  uint64_t next_client_ = 1;
  bool draining_ = false;
  bool stop_ = false;
  std::optional<rpc::EventLoop::Clock::time_point> drained_at_;
  std::optional<rpc::EventLoop::TimerId> idle_timer_;
};

void Server::on_listener(int fd) {
  // Accept everything pending; each connection is checked before anything is read from it.
  while (true) {
    UniqueFd client(::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!client.valid()) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) spdlog::warn("accept: {}", std::strerror(errno));
      return;
    }
    admit(std::move(client));
  }
}

void Server::refuse(UniqueFd fd, int code, const std::string& message) {
  const std::string line = rpc::error_line(nullptr, code, message) + "\n";
  // Best effort: a fresh socket's buffer takes one short line.
  (void)!::send(fd.get(), line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void Server::admit(UniqueFd fd) {
  auto peer = peer_credentials(fd.get());
  if (!peer) {
    spdlog::warn("refused a connection: {}", peer.error().message);
    return;
  }
  const AllowRule* rule = match_caller(options_.config, peer->uid, peer->gid, peer->groups);
  if (rule == nullptr) {
    const std::string where = options_.config.source.empty() ? "the service's allow list" : options_.config.source;
    spdlog::warn("refused connection caller_uid={} caller_gid={} caller_pid={} reason=not_allowed", peer->uid,
                 peer->gid, peer->pid);
    refuse(std::move(fd), rpc::kForbidden,
           "forbidden: uid " + std::to_string(peer->uid) + " (gid " + std::to_string(peer->gid) +
               ") is not allowed to use this service; an administrator can allow it in " + where);
    return;
  }
  if (clients_.size() >= options_.config.max_clients) {
    spdlog::warn("refused connection caller_uid={} reason=too_many_clients", peer->uid);
    refuse(std::move(fd), rpc::kBusy, "busy: the service has its most clients connected; retry later");
    return;
  }
  const uint64_t id = next_client_++;
  auto client = std::make_unique<Client>();
  client->caller.uid = peer->uid;
  client->caller.gid = peer->gid;
  client->caller.pid = peer->pid;
  client->caller.limits = rule->limits;
  Client* c = client.get();
  rpc::ConnectionHandlers handlers;
  handlers.on_line = [c](std::string line) { c->session->handle_line(line); };
  handlers.on_oversized = [c](size_t bytes) { c->session->handle_oversized(bytes); };
  handlers.on_input_end = [c] { c->input_done = true; };
  handlers.on_hangup = [c] {
    c->gone = true;
    c->session->disconnect();
  };
  c->connection = std::make_unique<rpc::LineConnection>(loop_, std::move(fd), UniqueFd(), service_.max_line_bytes,
                                                        std::move(handlers));
  c->session = std::make_unique<rpc::RpcSession>(
      service_, c->caller, [c](std::string line) { c->connection->send(std::move(line)); },
      [c] { return c->connection->backlog() > kOutputHighWater; });
  spdlog::debug("client {} connected: uid {} pid {} ({})", id, peer->uid, peer->pid, rule->label);
  clients_.emplace(id, std::move(client));
}

// Runs before every poll, outside all handlers: closes finished clients, keeps the idle timer.
void Server::tidy() {
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client& c = *it->second;
    const bool idle = c.session->active_runs() == 0 && c.connection->backlog() == 0;
    if (c.gone || c.connection->closed() || ((c.input_done || draining_) && idle)) {
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
  if (!options_.idle_exit || draining_) return;
  const bool quiet = clients_.empty() && runs_.in_flight() == 0;
  if (quiet && !idle_timer_) {
    idle_timer_ = loop_.after(*options_.idle_exit, [this] {
      idle_timer_.reset();
      spdlog::info("idle for {}; exiting (the socket stays with systemd)",
                   rpc::format_duration(*options_.idle_exit));
      stop_ = true;
    });
  } else if (!quiet && idle_timer_) {
    loop_.cancel(*idle_timer_);
    idle_timer_.reset();
  }
}

void Server::close_listeners() {
  for (auto& l : options_.listeners) {
    loop_.unwatch(l.get());
    l.reset();
  }
  if (!options_.listen_path.empty()) unlink_if_same(options_.listen_path, options_.listen_identity);
}

void Server::begin_drain(int sig) {
  if (draining_) {
    spdlog::warn("signal {} again: killing {} runs now", sig, runs_.running());
    runs_.kill_running("the service stopped before the run ended");
    return;
  }
  draining_ = true;
  service_.draining = true;
  spdlog::info("signal {}: draining; {} runs running, {} queued; deadline {}", sig, runs_.running(), runs_.queued(),
               rpc::format_duration(options_.config.drain_timeout));
  close_listeners();
  runs_.stop_accepting("the service is shutting down");
  loop_.after(options_.config.drain_timeout, [this] {
    if (runs_.running() > 0) {
      spdlog::warn("drain deadline: killing {} runs", runs_.running());
      runs_.kill_running("the service stopped before the run ended");
    }
  });
}

int Server::run() {
  auto signals = rpc::install_shutdown_signals();
  if (!signals) {
    spdlog::error("serve: {}", signals.error().message);
    return 125;
  }
  loop_.watch(signals->fd(), POLLIN, [&](short) {
    if (const int sig = signals->read_one(); sig != 0) begin_drain(sig);
  });
  for (auto& l : options_.listeners) {
    const int fd = l.get();
    loop_.watch(fd, POLLIN, [this, fd](short) { on_listener(fd); });
  }
  loop_.before_poll([this] { tidy(); });
  while (!stop_) {
    if (draining_ && runs_.in_flight() == 0) {
      if (clients_.empty()) break;
      if (!drained_at_) drained_at_ = rpc::EventLoop::Clock::now();
      if (rpc::EventLoop::Clock::now() - *drained_at_ > kFinalFlush) break;
    }
    if (auto ran = loop_.run_once(std::chrono::seconds(1)); !ran) {
      spdlog::error("serve: {}", ran.error().message);
      return 125;
    }
  }
  clients_.clear();
  close_listeners();
  loop_.unwatch(signals->fd());
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int run_server(ServeOptions options) {
  Server server(std::move(options));
  return server.run();
}

}  // namespace sbx::serve
