// open_azure_decryption_key: an EVP_PKEY holding only the certificate's RSA public key, whose
// decrypt operation is Key Vault's unwrapkey, so OpenSSL's CMS code (which reads the
// RecipientInfo, its OAEP parameters and then the content) runs unchanged.
//
// Why an ENGINE-bound EVP_PKEY_METHOD (deprecated since OpenSSL 3.0, hence the define below):
// an RSA_METHOD alone is not enough, because OpenSSL decodes OAEP itself around a raw
// (RSA_NO_PADDING) private operation, which Key Vault does not offer; a key-level method sees
// the padding and digests and can ask for RSA-OAEP-256 or RSA1_5 as a whole. The method is
// bound to these keys only (never registered as a default), so no other RSA key is affected.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/rsa.h>

#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "esign/error.h"
#include "keys/azure_vault.h"
#include "keys/decryption_key.h"

namespace esign {

namespace {

// What one key's decrypt needs; owned by the DecryptionKey's backing, found through the
// EVP_PKEY's ex_data.
struct Unwrapper {
  std::unique_ptr<azure::Vault> vault;
  std::string path;  // /keys/{name}/{version}/unwrapkey
  std::string url;   // for messages
  std::optional<Error> error;  // the last failure, which OpenSSL cannot carry
};

int ex_index() {
  static const int index = EVP_PKEY_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// JWA (RFC 7518 §4.2, §4.3) names of the key transport the CMS asks for; "" for anything else.
std::string jwa_for(EVP_PKEY_CTX* ctx) {
  int padding = 0;
  if (EVP_PKEY_CTX_get_rsa_padding(ctx, &padding) <= 0) return "";
  if (padding == RSA_PKCS1_PADDING) return "RSA1_5";
  if (padding != RSA_PKCS1_OAEP_PADDING) return "";
  const EVP_MD* md = nullptr;
  const EVP_MD* mgf1 = nullptr;
  unsigned char* label = nullptr;
  if (EVP_PKEY_CTX_get_rsa_oaep_md(ctx, &md) <= 0 || EVP_PKEY_CTX_get_rsa_mgf1_md(ctx, &mgf1) <= 0) return "";
  if (EVP_PKEY_CTX_get0_rsa_oaep_label(ctx, &label) > 0) return "";  // Key Vault takes no label
  int md_nid = md ? EVP_MD_get_type(md) : NID_sha1, mgf_nid = mgf1 ? EVP_MD_get_type(mgf1) : md_nid;
  if (md_nid == NID_sha256 && mgf_nid == NID_sha256) return "RSA-OAEP-256";
  if (md_nid == NID_sha1 && mgf_nid == NID_sha1) return "RSA-OAEP";
  return "";
}

int unwrap(EVP_PKEY_CTX* ctx, unsigned char* out, size_t* outlen, const unsigned char* in, size_t inlen) {
  auto* self = static_cast<Unwrapper*>(EVP_PKEY_get_ex_data(EVP_PKEY_CTX_get0_pkey(ctx), ex_index()));
  if (self == nullptr) return -1;
  const std::string alg = jwa_for(ctx);
  if (alg.empty()) {
    self->error = Error(Errc::input, self->url,
                        "the key transport is neither RSA-OAEP (SHA-256 or SHA-1, no label) nor PKCS#1 v1.5");
    return -1;
  }
  try {
    nlohmann::json body{{"alg", alg}, {"value", base64url_encode(Bytes(in, in + inlen))}};
    http::Response r = self->vault->request("POST", self->path, body.dump());
    if (r.status != 200) throw azure::service_error(r, self->url, "Key Vault refused to unwrap the key");
    Bytes key;
    try {
      if (!azure::decode_base64(nlohmann::json::parse(r.body).at("value").get<std::string>(), key)) key.clear();
    } catch (const nlohmann::json::exception&) {
      key.clear();
    }
    if (key.empty() || key.size() > *outlen)
      throw Error(Errc::remote, self->url, "Key Vault's answer has no base64url key value");
    std::memcpy(out, key.data(), key.size());
    *outlen = key.size();
    OPENSSL_cleanse(key.data(), key.size());
    return 1;
  } catch (const Error& e) {
    self->error = e;  // a C callback: the error goes back through OpenSSL as a failure
    return -1;
  }
}

// The key-level methods for these keys: OpenSSL's own RSA method (padding and digest controls)
// with decrypt replaced by unwrap().
int pkey_methods(ENGINE*, EVP_PKEY_METHOD** method, const int** nids, int nid) {
  static const int kNids[] = {EVP_PKEY_RSA};
  static EVP_PKEY_METHOD* rsa = [] {
    EVP_PKEY_METHOD* m = EVP_PKEY_meth_new(EVP_PKEY_RSA, EVP_PKEY_FLAG_AUTOARGLEN);
    const EVP_PKEY_METHOD* base = EVP_PKEY_meth_find(EVP_PKEY_RSA);
    if (m == nullptr || base == nullptr) return m;
    EVP_PKEY_meth_copy(m, base);
    int (*init)(EVP_PKEY_CTX*) = nullptr;
    int (*decrypt)(EVP_PKEY_CTX*, unsigned char*, size_t*, const unsigned char*, size_t) = nullptr;
    EVP_PKEY_meth_get_decrypt(base, &init, &decrypt);
    EVP_PKEY_meth_set_decrypt(m, init, unwrap);
    return m;
  }();
  if (method == nullptr) {
    *nids = kNids;
    return 1;
  }
  *method = nid == EVP_PKEY_RSA ? rsa : nullptr;
  return *method != nullptr;
}

ENGINE* engine() {
  static ENGINE* e = [] {
    ENGINE* x = ENGINE_new();
    if (x && (ENGINE_set_id(x, "esign-keyvault") != 1 || ENGINE_set_name(x, "esign Key Vault unwrapkey") != 1 ||
              ENGINE_set_pkey_meths(x, pkey_methods) != 1 || ENGINE_init(x) != 1)) {
      ENGINE_free(x);
      x = nullptr;
    }
    return x;
  }();
  return e;
}

}  // namespace

DecryptionKey open_azure_decryption_key(const AzureKeyVaultSource& src, const Profile& profile,
                                        const SecretResolver& secrets) {
  auto self = std::make_shared<Unwrapper>();
  self->vault = std::make_unique<azure::Vault>(src, profile, secrets);
  azure::Vault::CertificateInfo info = self->vault->certificate();
  self->path = self->vault->key_path(info.key_version) + "/unwrapkey";
  self->url = self->vault->url() + self->path;

  DecryptionKey out;
  out.subject = self->vault->url() + "/keys/" + src.key;
  const unsigned char* p = info.der.data();
  out.cert.reset(d2i_X509(nullptr, &p, static_cast<long>(info.der.size())));
  if (!out.cert) ossl::fail(Errc::remote, self->vault->url() + "/certificates/" + src.certificate, "not a certificate");
  EVP_PKEY* pub = X509_get0_pubkey(out.cert.get());
  if (pub == nullptr || EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
    throw Error(Errc::key, out.subject, "only RSA Key Vault keys can decrypt (Key Vault has no ECDH)");

  // A legacy RSA key (public parts only) bound to the engine, so EVP_PKEY_CTX_new picks unwrap().
  RSA* rsa = RSAPublicKey_dup(EVP_PKEY_get0_RSA(pub));
  out.key.reset(EVP_PKEY_new());
  if (rsa == nullptr || !out.key || EVP_PKEY_assign_RSA(out.key.get(), rsa) != 1) {
    RSA_free(rsa);
    ossl::fail(Errc::internal, out.subject, "cannot make the Key Vault key");
  }
  if (engine() == nullptr || EVP_PKEY_set1_engine(out.key.get(), engine()) != 1 ||
      EVP_PKEY_set_ex_data(out.key.get(), ex_index(), self.get()) != 1)
    ossl::fail(Errc::internal, out.subject, "cannot bind the Key Vault key to its unwrap method");
  out.rethrow_failure = [u = self.get()] {
    if (u->error) throw *u->error;
  };
  out.backing = std::move(self);
  return out;
}

}  // namespace esign
