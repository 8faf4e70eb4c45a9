// RAII around libseccomp's filter context, and the exports that read a filter back from
// libseccomp 2.5.4, which can only write it to a file descriptor.
#pragma once

#include <linux/filter.h>
#include <seccomp.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sbx::seccomp {

class FilterContext {
 public:
  static Result<FilterContext> create(uint32_t default_action);

  Status set_attribute(scmp_filter_attr attribute, uint32_t value, std::string_view what);
  // `what` names the rule in errors: "mount", "clone(CLONE_NEWUSER)".
  Status add_rule(uint32_t action, int syscall_nr, std::span<const scmp_arg_cmp> conditions,
                  std::string_view what);

  size_t rule_count() const noexcept { return rule_count_; }
  scmp_filter_ctx get() const noexcept { return ctx_.get(); }

 private:
  struct Release {
    void operator()(void* ctx) const noexcept { seccomp_release(ctx); }
  };
  explicit FilterContext(scmp_filter_ctx ctx) : ctx_(ctx) {}

  std::unique_ptr<void, Release> ctx_;
  size_t rule_count_ = 0;
};

// Classic BPF, ready for seccomp(SECCOMP_SET_MODE_FILTER).
Result<std::vector<sock_filter>> export_bpf(const FilterContext& ctx);
// libseccomp's human-readable pseudo filter code.
Result<std::string> export_pfc(const FilterContext& ctx);

}  // namespace sbx::seccomp
