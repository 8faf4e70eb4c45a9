// `sbx serve`: the sandbox service. Takes its socket from systemd (socket activation) or binds
// one (--listen PATH); who may connect and with which limits comes from the configuration.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "base/units.h"
#include "cli/option_parser.h"
#include "serve/listen_socket.h"
#include "serve/server.h"

namespace sbx::app {
namespace {

// Without --config, the invoking user's own file, if any. The system service names
// /etc/sbx/serve.yaml explicitly (packaging/systemd/sbx.service): a per-user service must not
// pick up the system's allow list, which need not include its own user.
std::string user_config_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/sbx/serve.yaml";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.config/sbx/serve.yaml";
  return "";
}

struct ServeFlags {
  std::string config;
  std::string listen;
  mode_t socket_mode = 0660;
  std::optional<std::chrono::nanoseconds> idle_exit;
  std::optional<std::chrono::nanoseconds> drain_timeout;
  bool help = false;
};

std::vector<cli::OptionSpec> serve_specs(ServeFlags& f) {
  return {
      {"config", 0, true, "FILE", "the configuration (default ~/.config/sbx/serve.yaml if it exists, else only your own uid)",
       [&f](std::string_view v) -> Status {
         f.config = std::string(v);
         return {};
       }},
      {"listen", 0, true, "PATH", "bind a unix socket at PATH instead of taking one from systemd",
       [&f](std::string_view v) -> Status {
         f.listen = std::string(v);
         return {};
       }},
      {"socket-mode", 0, true, "MODE", "file mode of the --listen socket, octal (default 0660)",
       [&f](std::string_view v) -> Status {
         char* end = nullptr;
         const std::string text(v);
         const unsigned long mode = std::strtoul(text.c_str(), &end, 8);
         if (text.empty() || *end != '\0' || mode > 0777) return make_error("expected an octal mode such as 0660");
         f.socket_mode = static_cast<mode_t>(mode);
         return {};
       }},
      {"idle-exit", 0, true, "DURATION", "exit after this long without clients or runs (socket activation)",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.idle_exit, parse_duration(v));
         if (f.idle_exit->count() <= 0) return make_error("must be above zero");
         return {};
       }},
      {"drain-timeout", 0, true, "DURATION", "on SIGTERM, how long running runs may go on (default 30s)",
       [&f](std::string_view v) -> Status {
         SBX_ASSIGN_OR_RETURN(f.drain_timeout, parse_duration(v));
         if (f.drain_timeout->count() <= 0) return make_error("must be above zero");
         return {};
       }},
      {"help", 'h', false, "", "show this help",
       [&f](std::string_view) -> Status {
         f.help = true;
         return {};
       }},
  };
}

std::string serve_help(std::span<const cli::OptionSpec> specs) {
  return "Usage: sbx serve [OPTIONS]\n\n"
         "Run the sandbox service: sbx.rpc/1 (newline-delimited JSON-RPC 2.0) on a unix socket,\n"
         "from systemd socket activation (Accept=no) or --listen PATH. Callers are checked by\n"
         "their kernel credentials against the allow list in the configuration. See sbx-serve(8).\n\n"
         "Options:\n" +
         cli::format_option_help(specs);
}

}  // namespace

int run_serve(std::span<const std::string> args, const GlobalOptions& global) {
  // One line per run is the service's log: info unless -q.
  setup_logging(std::max(global.verbosity, 1), global.quiet);
  ServeFlags flags;
  const auto specs = serve_specs(flags);
  auto operands = cli::parse_options(args, specs);
  if (!operands) {
    spdlog::error("serve: {}", operands.error().message);
    return kExitUsage;
  }
  if (flags.help) {
    std::cout << serve_help(specs);
    return 0;
  }
  if (*operands < args.size()) {
    spdlog::error("serve: unexpected argument \"{}\" (sbx serve takes only options)", args[*operands]);
    return kExitUsage;
  }

  serve::ServeOptions options;
  std::string config_path = flags.config;
  if (config_path.empty()) {
    const std::string own = user_config_path();
    if (!own.empty() && ::access(own.c_str(), F_OK) == 0) config_path = own;
  }
  if (config_path.empty()) {
    options.config = serve::default_serve_config(::getuid());
    spdlog::info("no configuration file: only uid {} may connect", ::getuid());
  } else {
    auto config = serve::load_serve_config(config_path);
    if (!config) {
      spdlog::error("serve: {}", config.error().message);
      return kExitUsage;
    }
    options.config = std::move(*config);
  }
  if (flags.drain_timeout) options.config.drain_timeout = *flags.drain_timeout;
  options.idle_exit = flags.idle_exit;

  auto activated = serve::take_listen_fds();
  if (!activated) {
    spdlog::error("serve: socket activation: {}", activated.error().message);
    return kExitUsage;
  }
  if (!activated->empty() && !flags.listen.empty()) {
    spdlog::error("serve: --listen: systemd already passed a socket; use one or the other");
    return kExitUsage;
  }
  if (!activated->empty()) {
    for (const auto& fd : *activated) {
      if (auto ok = serve::check_listening_unix_socket(fd.get()); !ok) {
        spdlog::error("serve: socket from systemd (fd {}): {}", fd.get(), ok.error().message);
        return kExitUsage;
      }
    }
    options.listeners = std::move(*activated);
    options.socket_activated = true;
  } else if (!flags.listen.empty()) {
    auto fd = serve::listen_unix(flags.listen, flags.socket_mode);
    if (!fd) {
      spdlog::error("serve: --listen: {}", fd.error().message);
      return kExitUsage;
    }
    options.listeners.push_back(std::move(*fd));
    options.listen_path = flags.listen;
    options.listen_identity = serve::file_identity(flags.listen);
  } else {
    spdlog::error("serve: no socket: start it from sbx.socket (systemd) or give --listen PATH");
    return kExitUsage;
  }
  if (options.idle_exit && !options.socket_activated) {
    spdlog::warn("serve: --idle-exit without socket activation: nothing will start the service again");
  }
  spdlog::info("listening ({}), at most {} runs at once and {} queued", options.socket_activated ? "systemd socket" : flags.listen,
               options.config.admission.max_running, options.config.admission.max_queued);
  return serve::run_server(std::move(options));
}

}  // namespace sbx::app
