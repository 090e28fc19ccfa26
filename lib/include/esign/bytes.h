// Byte buffers and the small conversions every module needs (hex, base64).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace esign {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lower-case hex, two digits per byte.
std::string to_hex(ByteView data);
// Parses hex digits (either case); returns false on an odd count or a non-hex character.
bool from_hex(std::string_view hex, Bytes& out);

std::string base64_encode(ByteView data);
std::string base64url_encode(ByteView data);  // RFC 4648 §5, no padding

}  // namespace esign
