// Password hashing with scrypt (OpenSSL EVP_KDF "SCRYPT"), self-describing hash strings.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <charconv>
#include <memory>

#include "auth/internal.h"
#include "crypto/openssl.h"
#include "esign/auth.h"
#include "esign/error.h"

namespace esign {

namespace {

using Kdf = std::unique_ptr<EVP_KDF, ossl::Deleter<EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, ossl::Deleter<EVP_KDF_CTX_free>>;

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

struct ScryptParams {
  int log2_n = 0;
  std::uint64_t r = 0, p = 0;
};

// OWASP's floor is N=2^17 with r=8, p=1; lower values exist only so tests can run quickly (the
// configuration file documents that), and 2^10 is the least anything accepts.
bool valid(const ScryptParams& s) { return s.log2_n >= 10 && s.log2_n <= 22 && s.r >= 1 && s.r <= 32 && s.p >= 1 && s.p <= 16; }

Bytes scrypt(const Secret& password, ByteView salt, const ScryptParams& s) {
  Kdf kdf(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
  if (!kdf) ossl::fail(Errc::internal, "password", "scrypt is not available");
  KdfCtx ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) ossl::fail(Errc::internal, "password", "cannot make a scrypt context");
  std::uint64_t n = std::uint64_t{1} << s.log2_n;
  // scrypt needs 128 * r * N bytes (128 MiB at the default); allow twice that.
  std::uint64_t maxmem = 256 * s.r * n + (std::uint64_t{1} << 20);
  std::string pw = password.reveal();
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pw.data(), pw.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_R, const_cast<std::uint64_t*>(&s.r)),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_P, const_cast<std::uint64_t*>(&s.p)),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(kHashBytes);
  int ok = EVP_KDF_derive(ctx.get(), out.data(), out.size(), params);
  OPENSSL_cleanse(pw.data(), pw.size());
  if (ok != 1) ossl::fail(Errc::internal, "password", "scrypt failed");
  return out;
}

bool parse_uint(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// "$scrypt$ln=17,r=8,p=1$SALT$HASH" -> parts; false when malformed.
bool parse(const std::string& encoded, ScryptParams& s, Bytes& salt, Bytes& hash) {
  std::string_view v(encoded);
  if (v.rfind("$scrypt$", 0) != 0) return false;
  v.remove_prefix(8);
  std::size_t d1 = v.find('$');
  if (d1 == std::string_view::npos) return false;
  std::string_view params = v.substr(0, d1), rest = v.substr(d1 + 1);
  std::size_t d2 = rest.find('$');
  if (d2 == std::string_view::npos) return false;
  if (!from_hex(rest.substr(0, d2), salt) || !from_hex(rest.substr(d2 + 1), hash)) return false;
  if (salt.size() < 8 || hash.size() != kHashBytes) return false;
  std::uint64_t ln = 0;
  int seen = 0;
  while (!params.empty()) {
    std::size_t comma = params.find(',');
    std::string_view kv = params.substr(0, comma);
    params = comma == std::string_view::npos ? std::string_view{} : params.substr(comma + 1);
    std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view key = kv.substr(0, eq);
    std::uint64_t value = 0;
    if (!parse_uint(kv.substr(eq + 1), value)) return false;
    if (key == "ln") ln = value, seen |= 1;
    else if (key == "r") s.r = value, seen |= 2;
    else if (key == "p") s.p = value, seen |= 4;
    else return false;
  }
  if (seen != 7 || ln > 64) return false;
  s.log2_n = static_cast<int>(ln);
  return valid(s);
}

}  // namespace

std::string hash_password(const Secret& password, int scrypt_log2_n) {
  ScryptParams s{scrypt_log2_n, 8, 1};
  if (!valid(s)) throw Error(Errc::config, "password", "scrypt cost out of range (2^10 to 2^22)");
  Bytes salt = auth::random_bytes(kSaltBytes);
  Bytes hash = scrypt(password, salt, s);
  return "$scrypt$ln=" + std::to_string(s.log2_n) + ",r=8,p=1$" + to_hex(salt) + "$" + to_hex(hash);
}

bool verify_password(const Secret& password, const std::string& encoded) {
  ScryptParams s;
  Bytes salt, want;
  if (!parse(encoded, s, salt, want)) return false;
  Bytes got = scrypt(password, salt, s);
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

}  // namespace esign
