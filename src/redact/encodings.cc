#include "redact/encodings.h"

#include <cstdint>

namespace sbx::redact {
namespace {

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kBase64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

std::string hex_form(std::string_view value, bool upper) {
  const char* digits = upper ? kHexUpper : kHexLower;
  std::string out(value.size() * 2, '\0');
  for (size_t i = 0; i < value.size(); ++i) {
    const auto b = static_cast<unsigned char>(value[i]);
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 0xf];
  }
  return out;
}

std::string base64_fragment(std::string_view value, int alignment, bool url_safe) {
  const char* alphabet = url_safe ? kBase64Url : kBase64Std;
  // Bit positions in the encoder's input, counted from the start of the 3-byte group that holds
  // the secret's first byte: the secret covers bits [8a, 8a + 8n); output character k encodes
  // bits [6k, 6k + 6) and is fixed by the secret alone when that range lies inside it.
  const size_t first_bit = 8 * static_cast<size_t>(alignment);
  const size_t end_bit = first_bit + 8 * value.size();
  const size_t first_char = (first_bit + 5) / 6;
  const size_t end_char = end_bit / 6;
  std::string out;
  if (end_char <= first_char) return out;
  out.reserve(end_char - first_char);
  for (size_t k = first_char; k < end_char; ++k) {
    const size_t bit = 6 * k - first_bit;  // offset into the secret's bits
    const size_t byte = bit / 8;
    uint32_t window = static_cast<uint32_t>(static_cast<unsigned char>(value[byte])) << 8;
    if (byte + 1 < value.size()) window |= static_cast<unsigned char>(value[byte + 1]);
    out.push_back(alphabet[(window >> (10 - bit % 8)) & 0x3f]);
  }
  return out;
}

std::string percent_all(std::string_view value, bool upper) {
  const char* digits = upper ? kHexUpper : kHexLower;
  std::string out(value.size() * 3, '\0');
  for (size_t i = 0; i < value.size(); ++i) {
    const auto b = static_cast<unsigned char>(value[i]);
    out[3 * i] = '%';
    out[3 * i + 1] = digits[b >> 4];
    out[3 * i + 2] = digits[b & 0xf];
  }
  return out;
}

std::string percent_except(std::string_view value, std::string_view keep) {
  auto kept = [&](unsigned char c) {
    return is_alnum(c) || keep.find(static_cast<char>(c)) != keep.npos;
  };
  size_t size = 0;
  for (char c : value) size += kept(static_cast<unsigned char>(c)) ? 1 : 3;
  std::string out;
  out.reserve(size);
  for (char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if (kept(b)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[b >> 4]);
      out.push_back(kHexUpper[b & 0xf]);
    }
  }
  return out;
}

void append_encoded_forms(std::string_view value, const Encodings& which, WipedStrings& out) {
  auto add = [&](std::string form) {
    if (!form.empty() && form != value) out.add(std::move(form));
    wipe(form);
  };
  if (which.hex) {
    add(hex_form(value, /*upper=*/false));
    add(hex_form(value, /*upper=*/true));
  }
  if (which.base64) {
    for (int alignment = 0; alignment < 3; ++alignment) {
      add(base64_fragment(value, alignment, /*url_safe=*/false));
      add(base64_fragment(value, alignment, /*url_safe=*/true));
    }
  }
  if (which.percent) {
    add(percent_all(value, /*upper=*/true));
    add(percent_all(value, /*upper=*/false));
    add(percent_except(value, "-_.!~*'()"));
    add(percent_except(value, "-_.~"));
  }
}

}  // namespace sbx::redact
