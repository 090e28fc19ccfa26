// Sealing TOTP secrets for the ledger: AES-256-GCM under a key file kept beside it.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>

#include "auth/internal.h"
#include "crypto/openssl.h"
#include "esign/error.h"
#include "esign/output.h"

namespace esign::auth {

namespace {

namespace fs = std::filesystem;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, ossl::Deleter<EVP_CIPHER_CTX_free>>;

constexpr std::size_t kKeyBytes = 32, kIvBytes = 12, kTagBytes = 16;
constexpr std::string_view kPrefix = "gcm1:";

// Reads the key file, making it first when it does not exist (no-clobber: when two processes
// race, the second commit fails with conflict and both read the winner's key).
Secret load_key(const fs::path& p) {
  if (!fs::exists(p)) {
    try {
      OutputFile out(p, false, 0600);
      out.write(as_bytes(to_hex(random_bytes(kKeyBytes)) + "\n"));
      out.commit();
    } catch (const Error& e) {
      if (e.code() != Errc::conflict) throw Error(Errc::config, p.string(), "cannot create the TOTP key file: " + e.reason());
    }
  }
  std::ifstream in(p);
  if (!in) throw Error(Errc::config, p.string(), "cannot read the TOTP key file");
  Secret hex = read_first_line(in);
  Bytes key;
  if (!from_hex(hex.reveal(), key) || key.size() != kKeyBytes)
    throw Error(Errc::config, p.string(), "the TOTP key file is not a 256-bit hex key");
  Secret out(std::string(key.begin(), key.end()));
  OPENSSL_cleanse(key.data(), key.size());
  return out;
}

std::string aad(const std::string& user) { return "esign-totp:" + user; }

}  // namespace

fs::path totp_key_file(const Ledger& ledger, const AuthConfig& config) {
  if (!config.totp_key_file.empty()) return config.totp_key_file;
  if (ledger.backend() != "sqlite")
    throw Error(Errc::config, config.file.empty() ? std::string("config.yaml") : config.file.string(),
                "a PostgreSQL ledger needs auth.totp_key_file: the file (the same on every host) whose key seals "
                "the operators' TOTP secrets");
  return fs::path(ledger.path().string() + ".totp-key");
}

std::string seal_secret(const fs::path& key_file, const std::string& user, ByteView secret) {
  Secret key = load_key(key_file);
  Bytes iv = random_bytes(kIvBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  const std::string a = aad(user);
  Bytes out(secret.size() + kTagBytes);
  int len = 0, total = 0;
  auto* k = reinterpret_cast<const unsigned char*>(key.reveal().data());
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), k, iv.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()), static_cast<int>(a.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, secret.data(), static_cast<int>(secret.size())) != 1)
    ossl::fail(Errc::internal, "totp", "cannot seal the secret");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + secret.size()) != 1)
    ossl::fail(Errc::internal, "totp", "cannot seal the secret");
  return std::string(kPrefix) + to_hex(iv) + to_hex(out);
}

Secret unseal_secret(const fs::path& key_file, const std::string& user, const std::string& sealed) {
  Bytes iv, body;
  std::string_view v(sealed);
  if (v.substr(0, kPrefix.size()) != kPrefix || v.size() < kPrefix.size() + 2 * (kIvBytes + kTagBytes) ||
      !from_hex(v.substr(kPrefix.size(), 2 * kIvBytes), iv) || !from_hex(v.substr(kPrefix.size() + 2 * kIvBytes), body))
    throw Error(Errc::auth, user, "the stored TOTP secret is malformed");
  Secret key = load_key(key_file);
  const std::size_t n = body.size() - kTagBytes;
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  const std::string a = aad(user);
  int len = 0;
  auto* k = reinterpret_cast<const unsigned char*>(key.reveal().data());
  auto* p = reinterpret_cast<unsigned char*>(plain.data());
  bool ok = ctx && EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), k, iv.data(), nullptr) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(a.data()), static_cast<int>(a.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), p, &len, body.data(), static_cast<int>(n)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, body.data() + n) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), p + len, &len) == 1;
  ossl::clear_errors();
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    throw Error(Errc::auth, user, "the stored TOTP secret does not open with " + key_file.string());
  }
  return Secret(std::move(plain));
}

}  // namespace esign::auth
