// TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA-1, and the base32 its secrets are written in.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "esign/auth.h"
#include "esign/error.h"

namespace esign {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string base32_encode(ByteView data) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : data) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

Bytes base32_decode(std::string_view text) {
  Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '=' || c == '-') continue;
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    else throw Error(Errc::input, "base32", "not a base32 character");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
    }
  }
  return out;
}

std::string hotp(ByteView key, std::uint64_t counter, int digits) {
  // RFC 4226 §5.2: HMAC over the 8-byte big-endian counter, dynamic truncation, mod 10^digits.
  std::uint8_t msg[8];
  for (int i = 7; i >= 0; --i, counter >>= 8) msg[i] = static_cast<std::uint8_t>(counter & 0xff);
  std::uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &len) || len < 20)
    throw Error(Errc::internal, "totp", "HMAC-SHA-1 failed");
  int offset = mac[len - 1] & 0x0f;
  std::uint32_t bin = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) | (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                      (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string code = std::to_string(bin % mod);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::int64_t totp_step(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() / 30;
}

std::string otpauth_uri(const std::string& user, const std::string& base32_secret) {
  // User names are limited to [a-z0-9._-], so the label needs no percent-encoding.
  return "otpauth://totp/esign:" + user + "?secret=" + base32_secret + "&issuer=esign";
}

}  // namespace esign
