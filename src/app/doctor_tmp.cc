#include "app/app.h"
namespace sbx::app { int run_doctor(std::span<const std::string>, const GlobalOptions&) { return 1; } }
