#include "launch/plan_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <cstring>
#include <new>
#include <utility>

namespace sbx::launch {
namespace {

// Bump allocation inside the mapping; `ok` turns false on the first request that does not fit.
class Bump {
 public:
  Bump(char* base, size_t capacity, size_t used) : base_(base), capacity_(capacity), used_(used) {}

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

  // Deep copy of the mount operations' strings and data.
  MountList mounts(const MountList& src) {
    MountOp* ops = array(src.ops, src.count);
    for (size_t i = 0; ops != nullptr && i < src.count; ++i) {
      ops[i].source = str(src.ops[i].source);
      ops[i].target = str(src.ops[i].target);
      ops[i].data = bytes(src.ops[i].data, src.ops[i].data_len);
    }
    return {ops, src.count, array(src.fds, src.count)};
  }

  bool ok() const { return ok_; }
  size_t used() const { return used_; }

 private:
  char* base_;
  size_t capacity_;
  size_t used_;
  bool ok_ = true;
};

// The prelude, then the plan, at fixed offsets the child knows from clone on; the data they
// point to follows.
constexpr size_t kPlanOffset = (sizeof(PreludePlan) + alignof(ChildPlan) - 1) / alignof(ChildPlan) * alignof(ChildPlan);
constexpr size_t kDataOffset = kPlanOffset + sizeof(ChildPlan);

Status too_large() {
  return make_error("the sandbox plan (command line, environment and generated files) is larger than " +
                    std::to_string(PlanArena::kCapacity >> 20) + " MiB");
}

}  // namespace

Result<PlanArena> PlanArena::create() {
  void* base = ::mmap(nullptr, kCapacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) return errno_error("mmap the sandbox plan arena");
  return PlanArena(base);
}

PlanArena::PlanArena(PlanArena&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), used_(other.used_) {}

PlanArena::~PlanArena() {
  if (base_ != nullptr) ::munmap(base_, kCapacity);
}

const ChildPlan* PlanArena::plan_slot() const {
  return reinterpret_cast<const ChildPlan*>(static_cast<const char*>(base_) + kPlanOffset);
}

Status PlanArena::publish_prelude(const PreludePlan& view) {
  Bump bump(static_cast<char*>(base_), kCapacity, std::max(used_, kDataOffset));
  auto* prelude = new (base_) PreludePlan(view);
  prelude->mounts = bump.mounts(view.mounts);
  prelude->staging_dir = bump.str(view.staging_dir);
  prelude->root_tmpfs_options = bump.str(view.root_tmpfs_options);
  if (!bump.ok()) return too_large();
  used_ = bump.used();
  return {};
}

Status PlanArena::publish(const ChildPlan& view) {
  Bump bump(static_cast<char*>(base_), kCapacity, std::max(used_, kDataOffset));
  auto* plan = new (static_cast<char*>(base_) + kPlanOffset) ChildPlan(view);
  plan->mounts = bump.mounts(view.mounts);
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
  if (!bump.ok()) return too_large();
  used_ = bump.used();
  return {};
}

}  // namespace sbx::launch
