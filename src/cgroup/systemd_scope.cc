#include "cgroup/systemd_scope.h"

#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "cgroup/cgroup_fs.h"

namespace sbx::cgroup {
namespace {

// The few sd-bus entry points used, declared here so building sbx needs no libsystemd headers.
// sd_bus_error's layout is part of libsystemd's stable ABI.
struct sd_bus;
struct sd_bus_message;
struct sd_bus_error {
  const char* name;
  const char* message;
  int need_free;
};

struct SdBus {
  void* lib = nullptr;
  int (*open_user)(sd_bus**) = nullptr;
  int (*open_system)(sd_bus**) = nullptr;
  sd_bus* (*unref)(sd_bus*) = nullptr;
  int (*new_method_call)(sd_bus*, sd_bus_message**, const char*, const char*, const char*, const char*) = nullptr;
  int (*append)(sd_bus_message*, const char*, ...) = nullptr;
  int (*open_container)(sd_bus_message*, char, const char*) = nullptr;
  int (*close_container)(sd_bus_message*) = nullptr;
  int (*call)(sd_bus*, sd_bus_message*, uint64_t, sd_bus_error*, sd_bus_message**) = nullptr;
  sd_bus_message* (*message_unref)(sd_bus_message*) = nullptr;
  void (*error_free)(sd_bus_error*) = nullptr;

  SdBus() = default;
  SdBus(const SdBus&) = delete;
  SdBus& operator=(const SdBus&) = delete;
  ~SdBus() {
    if (lib != nullptr) ::dlclose(lib);
  }
};

template <typename F>
bool bind(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(::dlsym(lib, name));
  return fn != nullptr;
}

Status load(SdBus& b) {
  b.lib = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (b.lib == nullptr) return make_error("libsystemd.so.0 is not installed (needed to ask systemd for a cgroup)");
  const bool ok = bind(b.lib, "sd_bus_open_user", b.open_user) && bind(b.lib, "sd_bus_open_system", b.open_system) &&
                  bind(b.lib, "sd_bus_unref", b.unref) &&
                  bind(b.lib, "sd_bus_message_new_method_call", b.new_method_call) &&
                  bind(b.lib, "sd_bus_message_append", b.append) &&
                  bind(b.lib, "sd_bus_message_open_container", b.open_container) &&
                  bind(b.lib, "sd_bus_message_close_container", b.close_container) &&
                  bind(b.lib, "sd_bus_call", b.call) && bind(b.lib, "sd_bus_message_unref", b.message_unref) &&
                  bind(b.lib, "sd_bus_error_free", b.error_free);
  if (!ok) return make_error("libsystemd.so.0 lacks the sd-bus functions sbx needs");
  return {};
}

Result<std::string> current_cgroup() {
  SBX_ASSIGN_OR_RETURN(const std::string text, read_text("/proc/self/cgroup"));
  auto path = own_cgroup_path(text);
  if (!path) return make_error("no cgroup v2 entry in /proc/self/cgroup");
  return *path;
}

}  // namespace

Result<std::string> move_into_delegated_scope() {
  SdBus b;
  SBX_RETURN_IF_ERROR(load(b));
  const bool system = ::geteuid() == 0;
  sd_bus* bus = nullptr;
  int r = system ? b.open_system(&bus) : b.open_user(&bus);
  if (r < 0) {
    return Error{-r, std::string("cannot reach the systemd ") + (system ? "system" : "user") +
                         " manager over D-Bus" + (system ? "" : " (is there a user session? loginctl enable-linger)")};
  }
  const std::string unit = "sbx-" + std::to_string(::getpid()) + ".scope";
  const auto initial = current_cgroup();
  const std::string before = initial ? *initial : "";

  sd_bus_message* m = nullptr;
  sd_bus_message* reply = nullptr;
  sd_bus_error error{nullptr, nullptr, 0};
  r = b.new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                        "org.freedesktop.systemd1.Manager", "StartTransientUnit");
  if (r >= 0) r = b.append(m, "ss", unit.c_str(), "fail");
  if (r >= 0) r = b.open_container(m, 'a', "(sv)");
  if (r >= 0) r = b.append(m, "(sv)", "PIDs", "au", 1, static_cast<uint32_t>(::getpid()));
  if (r >= 0) r = b.append(m, "(sv)", "Delegate", "b", 1);
  if (r >= 0) r = b.append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
  if (r >= 0) r = b.append(m, "(sv)", "Description", "s", "sbx sandbox supervisor");
  if (r >= 0) r = b.close_container(m);
  if (r >= 0) r = b.append(m, "a(sa(sv))", 0);
  if (r >= 0) r = b.call(bus, m, 0, &error, &reply);
  std::string failure;
  if (r < 0) failure = error.message != nullptr ? error.message : "StartTransientUnit failed";
  b.error_free(&error);
  if (reply != nullptr) b.message_unref(reply);
  if (m != nullptr) b.message_unref(m);
  b.unref(bus);
  if (!failure.empty()) return Error{-r, "systemd refused a delegated scope: " + failure};

  // The call returns once the job is queued; the move happens when it runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto now = current_cgroup();
    if (now && *now != before && now->find(unit) != std::string::npos) return unit;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return make_error("systemd did not move sbx into " + unit + " within 5s");
}

}  // namespace sbx::cgroup
