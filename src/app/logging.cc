#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "app/app.h"
#include "base/one_line.h"

namespace sbx::app {
namespace {

// %* in the pattern: the message through one_line(), so every message is one line whatever
// outside text it quotes.
class OneLineMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string text = one_line(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<OneLineMessage>(); }
};

}  // namespace

void setup_logging(int verbosity, bool quiet) {
  // Synchronous and single-threaded: sbx must stay single-threaded until clone3. Built directly
  // rather than through a registering factory, so a second call (flags after "exec") replaces it.
  auto logger = std::make_shared<spdlog::logger>("sbx", std::make_shared<spdlog::sinks::stderr_sink_st>());
  spdlog::level::level_enum level = spdlog::level::warn;
  if (quiet) level = spdlog::level::err;
  if (verbosity == 1) level = spdlog::level::info;
  if (verbosity >= 2) level = spdlog::level::debug;
  // Debug lines carry microsecond timestamps: they are how start-up time is attributed.
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<OneLineMessage>('*').set_pattern(level <= spdlog::level::debug ? "sbx: %H:%M:%S.%f %l: %*"
                                                                                       : "sbx: %l: %*");
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace sbx::app
