#include "seccomp/context.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace sbx::seccomp {
namespace {

// libseccomp reports failures as negative errno values and leaves errno alone.
Error libseccomp_error(int rc, std::string_view what) {
  const int err = rc < 0 ? -rc : EINVAL;
  return Error{err, "seccomp: " + std::string(what) + ": " + std::strerror(err)};
}

using Exporter = int (*)(const scmp_filter_ctx, int);

// libseccomp 2.5.4 has no seccomp_export_bpf_mem (2.6.0), so the filter goes through an
// anonymous memory file and is read back.
Result<std::string> export_through_memfd(const FilterContext& ctx, Exporter exporter,
                                         std::string_view what, size_t max_bytes) {
  UniqueFd fd(::memfd_create("sbx-seccomp", MFD_CLOEXEC));
  if (!fd.valid()) return errno_error("seccomp: memfd_create");
  if (const int rc = exporter(ctx.get(), fd.get()); rc != 0) return libseccomp_error(rc, what);

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("seccomp: fstat of exported filter");
  const auto size = static_cast<size_t>(st.st_size);
  if (size > max_bytes) {
    return make_error("seccomp: " + std::string(what) + ": exported " + std::to_string(size) +
                      " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  std::string bytes(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd.get(), bytes.data() + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("seccomp: reading back the exported filter");
    if (n == 0) return make_error("seccomp: exported filter shrank while being read back");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace

Result<FilterContext> FilterContext::create(uint32_t default_action) {
  scmp_filter_ctx ctx = seccomp_init(default_action);
  // seccomp_init returns NULL without a reason: an invalid action or no memory.
  if (ctx == nullptr) return make_error("seccomp: seccomp_init failed (invalid default action?)");
  return FilterContext(ctx);
}

Status FilterContext::set_attribute(scmp_filter_attr attribute, uint32_t value,
                                    std::string_view what) {
  if (const int rc = seccomp_attr_set(ctx_.get(), attribute, value); rc != 0) {
    return libseccomp_error(rc, what);
  }
  return {};
}

Status FilterContext::add_rule(uint32_t action, int syscall_nr,
                               std::span<const scmp_arg_cmp> conditions, std::string_view what) {
  const int rc =
      seccomp_rule_add_array(ctx_.get(), action, syscall_nr,
                             static_cast<unsigned int>(conditions.size()), conditions.data());
  if (rc != 0) return libseccomp_error(rc, "rule for " + std::string(what));
  ++rule_count_;
  return {};
}

Result<std::vector<sock_filter>> export_bpf(const FilterContext& ctx) {
  SBX_ASSIGN_OR_RETURN(std::string bytes,
                       export_through_memfd(ctx, seccomp_export_bpf, "export as BPF",
                                            BPF_MAXINSNS * sizeof(sock_filter)));
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0) {
    return make_error("seccomp: exported BPF has " + std::to_string(bytes.size()) +
                      " bytes, not a whole number of instructions");
  }
  std::vector<sock_filter> program(bytes.size() / sizeof(sock_filter));
  std::memcpy(program.data(), bytes.data(), bytes.size());
  return program;
}

Result<std::string> export_pfc(const FilterContext& ctx) {
  return export_through_memfd(ctx, seccomp_export_pfc, "export as PFC", 16u << 20);
}

}  // namespace sbx::seccomp
