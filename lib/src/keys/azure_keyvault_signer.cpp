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
#include "keys/openers.h"
#include "keys/token_cache.h"

namespace esign {

namespace {

using BigNum = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

constexpr int kAttempts = 5;  // per request, on 429 and 5xx (Retry-After honoured)

// Base64 in either alphabet (RFC 4648 §4 and §5), padding optional: Key Vault sends `cer` as
// base64 and signature values as base64url. Returns false on any other character.
bool decode_base64(std::string_view text, Bytes& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+' || ch == '-') v = 62;
    else if (ch == '/' || ch == '_') v = 63;
    else if (ch == '=') break;
    else return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  return true;
}

// Key Vault object names are 1-127 of [0-9a-zA-Z-]; versions are alphanumeric. Checking them
// keeps a profile from steering a request to another path.
void check_name(const std::string& value, bool optional, const std::string& field, const Profile& profile) {
  bool ok = (optional && value.empty()) ||
            (!value.empty() && value.size() <= 127 && std::all_of(value.begin(), value.end(), [&](unsigned char c) {
               return std::isalnum(c) || (c == '-' && field != "key.key_version");
             }));
  if (!ok) throw Error(Errc::config, profile.file.string(), field + " '" + value + "' is not a Key Vault name");
}

// Refused here, before any request, so no secret is ever offered to a plain-http host.
std::string service_url(std::string url, const std::string& field, const Profile& profile) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  bool https = url.rfind("https://", 0) == 0, http = url.rfind("http://", 0) == 0;
  if (!https && !(http && http::is_loopback(url)))
    throw Error(Errc::config, profile.file.string(),
                field + " must be an https:// URL (plain http:// only to loopback test servers): " + url);
  if (url.find_first_of("?#") != std::string::npos)
    throw Error(Errc::config, profile.file.string(), field + " must not have a query or fragment: " + url);
  return url;
}

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


class AzureKeyVaultSigner final : public Signer {
 public:
  AzureKeyVaultSigner(std::vector<Certificate> chain, KeyInfo info, std::string sign_url, std::string query,
                      std::unique_ptr<azure::TokenProvider> tokens)
      : chain_(std::move(chain)),
        info_(std::move(info)),
        public_key_(X509_get_pubkey(chain_.front().native())),
        sign_url_(std::move(sign_url)),
        query_(std::move(query)),
        tokens_(std::move(tokens)) {
    if (!public_key_) ossl::fail(Errc::input, sign_url_, "cannot read the certificate's public key");
  }

  const std::vector<Certificate>& chain() const override { return chain_; }
  SignatureScheme scheme() const override { return info_.scheme; }
  // RSA: the modulus length; ECDSA: the longest DER Ecdsa-Sig-Value (72 for P-256, 104 for P-384).
  std::size_t max_signature_size() const override { return static_cast<std::size_t>(EVP_PKEY_get_size(public_key_.get())); }
  // Thread-safe: the token provider locks, every request has its own handle, every check its own context.
  bool concurrent() const override { return true; }

  Bytes sign(const Digest& digest) override {
    if (info_.curve_digest && digest.algorithm != *info_.curve_digest)
      throw Error(Errc::key, sign_url_,
                  "an " + info_.description + " key signs " + to_string(*info_.curve_digest) + " digests only, not " +
                      to_string(digest.algorithm));
    if (digest.value.size() != digest_size(digest.algorithm))
      throw Error(Errc::internal, sign_url_, "the digest has the wrong length for " + to_string(digest.algorithm));
    // The Key Vault sign API: `value` is the digest itself, base64url (RFC 4648 §5, no padding).
    nlohmann::json body{{"alg", jwa_alg(info_, digest.algorithm)}, {"value", base64url_encode(digest.value)}};
    http::Response r = vault_request(*tokens_, "POST", sign_url_, query_, body.dump());
    if (r.status != 200) throw azure::service_error(r, sign_url_, "Key Vault refused to sign");
    Bytes raw;
    try {
      nlohmann::json j = nlohmann::json::parse(r.body);
      if (!decode_base64(j.at("value").get<std::string>(), raw)) raw.clear();
    } catch (const nlohmann::json::exception&) {
      raw.clear();
    }
    if (raw.empty()) throw Error(Errc::remote, sign_url_, "Key Vault's answer has no base64url signature value");
    Bytes value = to_cms_value(raw);
    check(value, digest);
    return value;
  }

  // One Key Vault request with the bearer token: retried on 429/5xx, and once with a new token
  // when the vault says 401 (a token revoked or expired early).
  static http::Response vault_request(azure::TokenProvider& tokens, const std::string& method, const std::string& url,
                                      const std::string& query, std::string body) {
    for (int attempt = 0;; ++attempt) {
      std::string token = tokens.get();
      http::Request request;
      request.method = method;
      request.url = url + query;
      request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
      if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
      http::Response r = http::send_with_retry(request, kAttempts);
      if (r.status == 401 && attempt == 0) {
        tokens.invalidate(token);
        continue;
      }
      return r;
    }
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
  std::string sign_url_;  // without the query: also the subject of errors
  std::string query_;     // ?api-version=...
  std::unique_ptr<azure::TokenProvider> tokens_;
};

// The token provider: a login cached by `esign login` if there is one for this source, and the
// client secret when it can be had (always when there is no cached login).
std::unique_ptr<azure::TokenProvider> token_provider(const AzureKeyVaultSource& src, const Profile& profile,
                                                     const SecretResolver& secrets) {
  std::optional<azure::Token> cached;
  try {
    if (auto entry = token_cache::load(profile); entry && entry->service == "azure-keyvault")
      cached = azure::from_cache_data(src, entry->data, entry->expires);
  } catch (const Error&) {
    // No usable state folder (no HOME, say): there is no cached login, and the secret will do.
  }
  std::optional<Secret> secret;
  const std::string what = "client secret for " + profile.name;
  if (!cached) {
    secret = secrets.resolve(src.client_secret, what, profile.file.parent_path(), profile.file.string());
  } else if (src.client_secret != "prompt") {
    // Logged in: the secret is only for renewing the token, so a reference that cannot be read now
    // (an unset variable) is no reason to fail while the cached token lasts.
    try {
      secret = secrets.resolve(src.client_secret, what, profile.file.parent_path(), profile.file.string());
    } catch (const Error&) {
    }
  }
  return std::make_unique<azure::TokenProvider>(src, std::move(cached), std::move(secret), profile.file.string());
}

}  // namespace

std::unique_ptr<Signer> open_azure_keyvault(const AzureKeyVaultSource& src, const Profile& profile,
                                            const SecretResolver& secrets) {
  const std::string vault = service_url(src.vault_url, "key.vault_url", profile);
  service_url(src.authority_url, "key.authority_url", profile);
  check_name(src.key, false, "key.key", profile);
  check_name(src.key_version, true, "key.key_version", profile);
  check_name(src.certificate, false, "key.certificate", profile);
  azure::token_url(src);  // checks the tenant id before anything is sent
  const std::string query = "?api-version=" + http::form_encode(src.api_version);
  auto tokens = token_provider(src, profile, secrets);

  // GET {vault}/certificates/{name}: the current version; `cer` is the DER certificate (base64)
  // and `kid` the key that backs it.
  const std::string cert_url = vault + "/certificates/" + src.certificate;
  http::Response r = AzureKeyVaultSigner::vault_request(*tokens, "GET", cert_url, query, "");
  if (r.status != 200) throw azure::service_error(r, cert_url, "cannot get the certificate");
  Bytes der;
  std::string kid;
  try {
    nlohmann::json j = nlohmann::json::parse(r.body);
    if (!decode_base64(j.at("cer").get<std::string>(), der)) der.clear();
    kid = j.value("kid", "");
  } catch (const nlohmann::json::exception&) {
    der.clear();
  }
  if (der.empty()) throw Error(Errc::remote, cert_url, "Key Vault's answer has no base64 certificate (cer)");
  std::vector<Certificate> chain{Certificate::from_der(der, cert_url)};

  // Without key_version, the key version that backs the certificate (so a renewed certificate
  // and its new key stay together); a separately named key signs with its current version.
  std::string version = src.key_version;
  if (version.empty()) {
    const std::string prefix = "/keys/" + src.key + "/";
    if (auto at = kid.find(prefix); at != std::string::npos) {
      std::string v = kid.substr(at + prefix.size());
      if (!v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isalnum(c); })) version = v;
    }
  }
  const std::string sign_url = vault + "/keys/" + src.key + (version.empty() ? "" : "/" + version) + "/sign";

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
  return std::make_unique<AzureKeyVaultSigner>(std::move(chain), std::move(info), sign_url, query, std::move(tokens));
}

}  // namespace esign
