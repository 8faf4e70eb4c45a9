#include "launch/mount_op_list.h"

namespace sbx::launch {

MountOpList::MountOpList(std::vector<mounts::MountStep> steps) : steps_(std::move(steps)) {
  ops_.reserve(steps_.size());
  for (const auto& step : steps_) {
    MountOp op{};
    op.kind = step.kind;
    op.source = step.source.c_str();
    op.target = step.target.c_str();
    op.data = step.data.c_str();
    op.data_len = step.data.size();
    op.mode = step.mode;
    op.read_only = step.read_only;
    op.target_is_dir = step.target_is_dir;
    op.optional = step.optional;
    op.source_untrusted = step.source_untrusted;
    op.allow_devices = step.allow_devices;
    ops_.push_back(op);
  }
  fds_.assign(ops_.size(), -1);
}

}  // namespace sbx::launch
