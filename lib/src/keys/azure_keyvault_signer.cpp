// The Azure Key Vault signer: the certificate from the vault, digests signed by POST .../sign.
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>

#include "crypto/openssl.h"
#include "esign/error.h"
#include "http/http.h"
#include "keys/azure_auth.h"
#include "keys/azure_chain.h"
#include "keys/azure_vault.h"
#include "keys/openers.h"

namespace esign {

namespace {

using BigNum = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

// What the certificate's key means for Key Vault's `alg` (JWA, RFC 7518 §3.1).
struct KeyInfo {
  SignatureScheme scheme = SignatureScheme::rsa_pkcs1;
  std::size_t ec_field_bytes = 0;                 // ECDSA: the length of r and of s in the raw value
  std::optional<DigestAlgorithm> curve_digest;    // ECDSA: the one digest the curve's alg takes
  std::string description;                        // "RSA 2048", "EC P-256"
};

KeyInfo key_info(EVP_PKEY* key, RsaPadding padding, const std::string& subject) {
  KeyInfo info;
  int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) {
    info.scheme = padding == RsaPadding::pss ? SignatureScheme::rsa_pss : SignatureScheme::rsa_pkcs1;
    info.description = "RSA " + std::to_string(EVP_PKEY_get_bits(key));
    return info;
  }
  if (id != EVP_PKEY_EC) throw Error(Errc::key, subject, "unsupported key type (Key Vault RSA and EC keys are supported)");
  if (padding == RsaPadding::pss) throw Error(Errc::config, subject, "signature.padding pss applies only to RSA keys");
  std::array<char, 64> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) != 1) ossl::fail(Errc::key, subject, "cannot read the EC curve");
  info.scheme = SignatureScheme::ecdsa;
  switch (OBJ_sn2nid(group.data())) {
    case NID_X9_62_prime256v1: info = {info.scheme, 32, DigestAlgorithm::sha256, "EC P-256"}; break;
    case NID_secp384r1: info = {info.scheme, 48, DigestAlgorithm::sha384, "EC P-384"}; break;
    case NID_secp521r1: info = {info.scheme, 66, DigestAlgorithm::sha512, "EC P-521"}; break;
    default:
      throw Error(Errc::key, subject, std::string("unsupported EC curve ") + group.data() + " (P-256, P-384 and P-521 are)");
  }
  return info;
}

// The JWA algorithm for a digest: RS*/PS* take any of SHA-256/384/512; ES* exactly their curve's.
// PS256/384/512 use MGF1 with the same hash and a salt as long as the hash (RFC 7518 §3.5),
// which is what esign's CMS declares for RSASSA-PSS.
std::string jwa_alg(const KeyInfo& info, DigestAlgorithm digest) {
  const char* bits = digest == DigestAlgorithm::sha256 ? "256" : digest == DigestAlgorithm::sha384 ? "384" : "512";
  switch (info.scheme) {
    case SignatureScheme::rsa_pkcs1: return std::string("RS") + bits;
    case SignatureScheme::rsa_pss: return std::string("PS") + bits;
    case SignatureScheme::ecdsa: return std::string("ES") + bits;
  }
  return {};
}


constexpr std::size_t kInFlight = 16;  // bulk: sign requests at once by default

class AzureKeyVaultSigner final : public Signer {
 public:
  AzureKeyVaultSigner(std::vector<Certificate> chain, KeyInfo info, std::string sign_path,
                      std::unique_ptr<azure::Vault> vault)
      : chain_(std::move(chain)),
        info_(std::move(info)),
        public_key_(X509_get_pubkey(chain_.front().native())),
        sign_path_(std::move(sign_path)),
        sign_url_(vault->url() + sign_path_),
        vault_(std::move(vault)) {
    if (!public_key_) ossl::fail(Errc::input, sign_url_, "cannot read the certificate's public key");
  }

  const std::vector<Certificate>& chain() const override { return chain_; }
  SignatureScheme scheme() const override { return info_.scheme; }
  // RSA: the modulus length; ECDSA: the longest DER Ecdsa-Sig-Value (72 for P-256, 104 for P-384).
  std::size_t max_signature_size() const override { return static_cast<std::size_t>(EVP_PKEY_get_size(public_key_.get())); }
  // Thread-safe: the token provider locks, every request has its own handle, every check its own context.
  bool concurrent() const override { return true; }
  // Key Vault has no batch call: bulk keeps many single requests in flight instead, each
  // thread on its own kept-alive connection.
  BatchLimits batch_limits(const BatchSettings& wanted) const override {
    return settle_batch_limits(BatchLimits{1, kInFlight, std::chrono::milliseconds(0), false}, wanted, 256, "");
  }

  Bytes sign(const Digest& digest) override {
    if (info_.curve_digest && digest.algorithm != *info_.curve_digest)
      throw Error(Errc::key, sign_url_,
                  "an " + info_.description + " key signs " + to_string(*info_.curve_digest) + " digests only, not " +
                      to_string(digest.algorithm));
    if (digest.value.size() != digest_size(digest.algorithm))
      throw Error(Errc::internal, sign_url_, "the digest has the wrong length for " + to_string(digest.algorithm));
    // The Key Vault sign API: `value` is the digest itself, base64url (RFC 4648 §5, no padding).
    nlohmann::json body{{"alg", jwa_alg(info_, digest.algorithm)}, {"value", base64url_encode(digest.value)}};
    http::Response r = vault_->request("POST", sign_path_, body.dump());
    if (r.status != 200) throw azure::service_error(r, sign_url_, "Key Vault refused to sign");
    Bytes raw;
    try {
      nlohmann::json j = nlohmann::json::parse(r.body);
      if (!azure::decode_base64(j.at("value").get<std::string>(), raw)) raw.clear();
    } catch (const nlohmann::json::exception&) {
      raw.clear();
    }
    if (raw.empty()) throw Error(Errc::remote, sign_url_, "Key Vault's answer has no base64url signature value");
    Bytes value = to_cms_value(raw);
    check(value, digest);
    return value;
  }

 private:
  // Key Vault returns RSA signatures as the raw block (what CMS carries) and ECDSA ones as
  // r||s, each the curve's field length (JWA RFC 7518 §3.4, IEEE P1363); CMS wants the DER
  // Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER } (RFC 5753 §7.2, RFC 3279 §2.2.3).
  Bytes to_cms_value(const Bytes& raw) const {
    if (info_.scheme != SignatureScheme::ecdsa) {
      std::size_t size = static_cast<std::size_t>(EVP_PKEY_get_size(public_key_.get()));
      if (raw.size() > size) throw Error(Errc::remote, sign_url_, "Key Vault's RSA signature is longer than the key");
      Bytes block(size - raw.size(), 0);  // an I2OSP block is exactly the modulus length
      block.insert(block.end(), raw.begin(), raw.end());
      return block;
    }
    const std::size_t n = info_.ec_field_bytes;
    if (raw.size() != 2 * n)
      throw Error(Errc::remote, sign_url_,
                  "Key Vault's ECDSA signature has " + std::to_string(raw.size()) + " bytes, not r||s of " +
                      std::to_string(2 * n));
    BigNum r(BN_bin2bn(raw.data(), static_cast<int>(n), nullptr));
    BigNum s(BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr));
    EcdsaSig sig(ECDSA_SIG_new());
    if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1)
      ossl::fail(Errc::internal, sign_url_, "cannot build an ECDSA signature");
    r.release();  // owned by sig now
    s.release();
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) ossl::fail(Errc::internal, sign_url_, "cannot encode an ECDSA signature");
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
  }

  // Verifies the value with the certificate before it goes into a document: a vault key that
  // is not the certificate's key (or a service bug) is an error here, not an invalid signature later.
  void check(const Bytes& value, const Digest& digest) const {
    ossl::PKeyCtx ctx(EVP_PKEY_CTX_new(public_key_.get(), nullptr));
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), ossl::md_for(digest.algorithm)) != 1)
      ossl::fail(Errc::internal, sign_url_, "cannot check the signature");
    if (info_.scheme == SignatureScheme::rsa_pss) {
      if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), ossl::md_for(digest.algorithm)) != 1)
        ossl::fail(Errc::internal, sign_url_, "cannot set RSASSA-PSS parameters");
    } else if (info_.scheme == SignatureScheme::rsa_pkcs1) {
      if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)
        ossl::fail(Errc::internal, sign_url_, "cannot set PKCS#1 v1.5 padding");
    }
    int ok = EVP_PKEY_verify(ctx.get(), value.data(), value.size(), digest.value.data(), digest.value.size());
    ossl::clear_errors();
    if (ok != 1)
      throw Error(Errc::key, sign_url_,
                  "the signature from Key Vault does not verify with the certificate " + chain_.front().common_name() +
                      " (is this key the certificate's key?)");
  }

  std::vector<Certificate> chain_;
  KeyInfo info_;
  ossl::PKey public_key_;
  std::string sign_path_;  // /keys/{name}/{version}/sign
  std::string sign_url_;   // without the query: the subject of errors
  std::unique_ptr<azure::Vault> vault_;
};

}  // namespace

std::unique_ptr<Signer> open_azure_keyvault(const AzureKeyVaultSource& src, const Profile& profile,
                                            const SecretResolver& secrets) {
  auto vault = std::make_unique<azure::Vault>(src, profile, secrets);
  const std::string cert_url = vault->url() + "/certificates/" + src.certificate;
  azure::Vault::CertificateInfo cert = vault->certificate();
  std::vector<Certificate> chain{Certificate::from_der(cert.der, cert_url)};
  const std::string sign_path = vault->key_path(cert.key_version) + "/sign";

  if (src.chain) append_chain(chain, src.chain);
  else azure::append_issuers(chain);

  KeyInfo info;
  {
    ossl::PKey key(X509_get_pubkey(chain.front().native()));
    if (!key) ossl::fail(Errc::input, cert_url, "cannot read the certificate's public key");
    info = key_info(key.get(), profile.signature.rsa_padding, profile.file.string());
  }
  if (info.curve_digest && *info.curve_digest != profile.signature.digest)
    throw Error(Errc::config, profile.file.string(),
                "key '" + src.key + "' is an " + info.description + " key, which Key Vault signs only with " +
                    jwa_alg(info, *info.curve_digest) + " (" + to_string(*info.curve_digest) +
                    "): set signature.digest: " + to_string(*info.curve_digest));
  return std::make_unique<AzureKeyVaultSigner>(std::move(chain), std::move(info), sign_path, std::move(vault));
}

}  // namespace esign
