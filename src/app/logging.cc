#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/app.h"

namespace sbx::app {

void setup_logging(int verbosity, bool quiet) {
  // Synchronous and single-threaded: sbx must stay single-threaded until clone3.
  auto logger = spdlog::stderr_logger_st("sbx");
  logger->set_pattern("sbx: %l: %v");
  spdlog::level::level_enum level = spdlog::level::warn;
  if (quiet) level = spdlog::level::err;
  if (verbosity == 1) level = spdlog::level::info;
  if (verbosity >= 2) level = spdlog::level::debug;
  // Debug lines carry microsecond timestamps: they are how start-up time is attributed.
  if (level <= spdlog::level::debug) logger->set_pattern("sbx: %H:%M:%S.%f %l: %v");
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

}  // namespace sbx::app
