#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/app.h"

namespace sbx::app {

void setup_logging(int verbosity, bool quiet) {
  // Synchronous and single-threaded: sbx must stay single-threaded until clone3. Built directly
  // rather than through a registering factory, so a second call (flags after "exec") replaces it.
  auto logger = std::make_shared<spdlog::logger>("sbx", std::make_shared<spdlog::sinks::stderr_sink_st>());
  spdlog::level::level_enum level = spdlog::level::warn;
  if (quiet) level = spdlog::level::err;
  if (verbosity == 1) level = spdlog::level::info;
  if (verbosity >= 2) level = spdlog::level::debug;
  // Debug lines carry microsecond timestamps: they are how start-up time is attributed.
  logger->set_pattern(level <= spdlog::level::debug ? "sbx: %H:%M:%S.%f %l: %v" : "sbx: %l: %v");
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace sbx::app
