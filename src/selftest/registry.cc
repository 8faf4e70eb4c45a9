#include "selftest/attack.h"

namespace sbx::selftest {

std::vector<const Attack*> all_attacks() {
  std::vector<const Attack*> all;
  for (auto group : {filesystem_attacks(), process_attacks(), resource_attacks(), network_attacks(), kernel_attacks(),
                     leak_attacks()}) {
    for (const auto& a : group) all.push_back(&a);
  }
  return all;
}

const Attack* find_attack(std::string_view name) {
  for (const Attack* a : all_attacks()) {
    if (name == a->name) return a;
  }
  return nullptr;
}

}  // namespace sbx::selftest
