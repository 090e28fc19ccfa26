// Random values and their one-way hashes: session tokens, recovery codes.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>

#include "auth/internal.h"
#include "crypto/openssl.h"
#include "esign/auth.h"
#include "esign/error.h"

namespace esign::auth {

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) ossl::fail(Errc::internal, "random", "no randomness available");
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    ossl::fail(Errc::internal, "sha256", "digest failed");
  return to_hex(ByteView(md, len));
}

std::string new_recovery_code() {
  // 10 random bytes = 80 bits = 16 base32 characters.
  std::string s = base32_encode(random_bytes(10));
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && i % 4 == 0) out.push_back('-');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
  }
  return out;
}

std::string recovery_code_hash(std::string_view code) {
  std::string norm;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    norm.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return sha256_hex("esign-recovery-code:" + norm);
}

}  // namespace esign::auth
