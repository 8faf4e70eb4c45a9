#include "launch/plan_arena.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

namespace sbx::launch {
namespace {

// Bump allocation inside the mapping; `ok` turns false on the first request that does not fit.
class Bump {
 public:
  Bump(char* base, size_t capacity) : base_(base), capacity_(capacity) {}

  void* raw(size_t size, size_t align) {
    const size_t start = (used_ + align - 1) & ~(align - 1);
    if (!ok_ || start > capacity_ || size > capacity_ - start) {
      ok_ = false;
      return nullptr;
    }
    used_ = start + size;
    return base_ + start;
  }

  template <typename T>
  T* array(const T* src, size_t count) {
    if (src == nullptr) return nullptr;
    auto* dst = static_cast<T*>(raw(sizeof(T) * (count == 0 ? 1 : count), alignof(T)));
    if (dst != nullptr && count > 0) std::memcpy(dst, src, sizeof(T) * count);
    return dst;
  }

  // Bytes plus a terminating NUL (WriteFile data may hold NULs of its own).
  const char* bytes(const char* src, size_t len) {
    if (src == nullptr) return nullptr;
    auto* dst = static_cast<char*>(raw(len + 1, 1));
    if (dst == nullptr) return nullptr;
    std::memcpy(dst, src, len);
    dst[len] = '\0';
    return dst;
  }
  const char* str(const char* src) { return src == nullptr ? nullptr : bytes(src, std::strlen(src)); }

  // A null-terminated array of strings (argv, envp).
  const char* const* strings(const char* const* src) {
    if (src == nullptr) return nullptr;
    size_t n = 0;
    while (src[n] != nullptr) ++n;
    auto* dst = static_cast<const char**>(raw(sizeof(char*) * (n + 1), alignof(char*)));
    if (dst == nullptr) return nullptr;
    for (size_t i = 0; i < n; ++i) dst[i] = str(src[i]);
    dst[n] = nullptr;
    return dst;
  }

  bool ok() const { return ok_; }

 private:
  char* base_;
  size_t capacity_;
  size_t used_ = 0;
  bool ok_ = true;
};

}  // namespace

Result<PlanArena> PlanArena::create() {
  void* base = ::mmap(nullptr, kCapacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return errno_error("mmap the sandbox plan arena");
  return PlanArena(base);
}

PlanArena::PlanArena(PlanArena&& other) noexcept : base_(std::exchange(other.base_, nullptr)) {}

PlanArena::~PlanArena() {
  if (base_ != nullptr) ::munmap(base_, kCapacity);
}

Status PlanArena::publish(const ChildPlan& view) {
  Bump bump(static_cast<char*>(base_), kCapacity);
  auto* plan = new (bump.raw(sizeof(ChildPlan), alignof(ChildPlan))) ChildPlan(view);

  auto* ops = bump.array(view.mounts, view.mount_count);
  for (size_t i = 0; ops != nullptr && i < view.mount_count; ++i) {
    ops[i].source = bump.str(view.mounts[i].source);
    ops[i].target = bump.str(view.mounts[i].target);
    ops[i].data = bump.bytes(view.mounts[i].data, view.mounts[i].data_len);
  }
  plan->mounts = ops;
  plan->mount_fds = bump.array(view.mount_fds, view.mount_count);
  plan->hostname = bump.str(view.hostname);

  auto* rlimits = bump.array(view.rlimits, view.rlimit_count);
  for (size_t i = 0; rlimits != nullptr && i < view.rlimit_count; ++i) rlimits[i].name = bump.str(view.rlimits[i].name);
  plan->rlimits = rlimits;

  auto* rules = bump.array(view.landlock.rules, view.landlock.rule_count);
  for (size_t i = 0; rules != nullptr && i < view.landlock.rule_count; ++i) {
    rules[i].path = bump.str(view.landlock.rules[i].path);
  }
  plan->landlock.rules = rules;

  plan->seccomp.filter = bump.array(view.seccomp.filter, view.seccomp.len);
  plan->workdir = bump.str(view.workdir);
  plan->argv = bump.strings(view.argv);
  plan->envp = bump.strings(view.envp);
  plan->path_env = bump.str(view.path_env);
  plan->staging_dir = bump.str(view.staging_dir);
  plan->root_tmpfs_options = bump.str(view.root_tmpfs_options);
  if (!bump.ok()) {
    return make_error("the sandbox plan (command line, environment and generated files) is larger than " +
                      std::to_string(kCapacity >> 20) + " MiB");
  }
  return {};
}

}  // namespace sbx::launch
