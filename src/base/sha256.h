// SHA-256 (FIPS 180-4), small and dependency-free: rootfs trees are hashed with it, and linking a
// crypto library into every `sbx exec` for one digest would cost start-up time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sbx {

class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256() noexcept;
  void update(const void* data, size_t size) noexcept;
  void update(std::string_view text) noexcept { update(text.data(), text.size()); }
  // Finishes the hash; the object must not be updated afterwards.
  Digest finish() noexcept;
  std::string finish_hex();

 private:
  void compress(const uint8_t* block) noexcept;

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string to_hex(const Sha256::Digest& digest);

// Hex SHA-256 of a whole string.
std::string sha256_hex(std::string_view text);

}  // namespace sbx
