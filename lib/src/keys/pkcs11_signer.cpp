// Keys on PKCS#11 tokens and HSMs through libp11: one module load and one token login per
// process; signing goes through libp11's key methods (C_Sign on the token).
#include <libp11.h>
#include <openssl/x509.h>

#include <filesystem>
#include <mutex>

#include "crypto/openssl.h"
#include "esign/error.h"
#include "keys/openers.h"
#include "keys/pkcs11_uri.h"

namespace esign {

namespace {

namespace fs = std::filesystem;

// p11-kit's proxy: every module p11-kit is configured with, as one.
const char* default_module() {
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so",
                        "/usr/lib64/p11-kit-proxy.so", "/usr/lib/p11-kit-proxy.so"})
    if (fs::exists(p)) return p;
  return "p11-kit-proxy.so";
}

bool same_id(const unsigned char* id, std::size_t len, const Bytes& want) {
  return len == want.size() && std::equal(want.begin(), want.end(), id);
}

// Everything libp11 hands out, released in the right order.
class Token {
 public:
  Token() : ctx_(PKCS11_CTX_new()) {}
  ~Token() {
    if (slots_) PKCS11_release_all_slots(ctx_, slots_, nslots_);
    if (loaded_) PKCS11_CTX_unload(ctx_);
    if (ctx_) PKCS11_CTX_free(ctx_);
  }
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  void load(const std::string& module, const std::string& subject) {
    if (!ctx_ || PKCS11_CTX_load(ctx_, module.c_str()) != 0)
      ossl::fail(Errc::key, subject, "cannot load the PKCS#11 module " + module);
    loaded_ = true;
    if (PKCS11_enumerate_slots(ctx_, &slots_, &nslots_) != 0) ossl::fail(Errc::key, subject, "cannot list the token slots");
  }

  PKCS11_SLOT* find(const pkcs11::Uri& uri, const std::string& subject) {
    PKCS11_SLOT* found = nullptr;
    int matches = 0;
    for (unsigned i = 0; i < nslots_; ++i) {
      PKCS11_TOKEN* t = slots_[i].token;
      if (t == nullptr || !t->initialized) continue;
      if (!uri.token.empty() && uri.token != t->label) continue;
      if (!uri.serial.empty() && uri.serial != t->serialnr) continue;
      if (!uri.manufacturer.empty() && uri.manufacturer != t->manufacturer) continue;
      if (!uri.model.empty() && uri.model != t->model) continue;
      found = &slots_[i];
      ++matches;
    }
    if (matches == 0)
      throw Error(Errc::key, subject, "no token matches " + (uri.token.empty() ? std::string("the URI") : "token=" + uri.token) +
                                          " (is it plugged in?)");
    if (matches > 1) throw Error(Errc::key, subject, "several tokens match the URI; name one with token= or serial=");
    return found;
  }

 private:
  PKCS11_CTX* ctx_;
  PKCS11_SLOT* slots_ = nullptr;
  unsigned int nslots_ = 0;
  bool loaded_ = false;
};

class Pkcs11Signer final : public Signer {
 public:
  Pkcs11Signer(std::unique_ptr<Token> token, ossl::PKey key, std::vector<Certificate> chain, RsaPadding padding,
               std::string subject)
      : token_(std::move(token)), key_(std::move(key)), chain_(std::move(chain)), subject_(std::move(subject)) {
    int id = EVP_PKEY_get_base_id(key_.get());
    if (id == EVP_PKEY_RSA) scheme_ = padding == RsaPadding::pss ? SignatureScheme::rsa_pss : SignatureScheme::rsa_pkcs1;
    else if (id == EVP_PKEY_EC) scheme_ = SignatureScheme::ecdsa;
    else throw Error(Errc::key, subject_, "unsupported key type on the token (RSA and EC keys are supported)");
    max_size_ = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
    if (max_size_ == 0) max_size_ = static_cast<std::size_t>(EVP_PKEY_get_size(X509_get0_pubkey(chain_.front().native())));
  }
  ~Pkcs11Signer() override {
    key_.reset();  // before the token that backs it
    token_.reset();
  }

  const std::vector<Certificate>& chain() const override { return chain_; }
  SignatureScheme scheme() const override { return scheme_; }
  std::size_t max_signature_size() const override { return max_size_; }
  // Measured with esign bulk --jobs 2 on 300 PDFs and a SoftHSM2 RSA-2048 key: concurrent calls
  // (libp11's session pool) 0.93-1.13 s, one call at a time 1.03 s. No gain, and not every
  // module is thread-safe: calls are serialized (bulk wraps the signer in a mutex).
  bool concurrent() const override { return false; }
  Bytes sign(const Digest& digest) override {
    try {
      return sign_with_key(key_.get(), scheme_, digest, subject_);
    } catch (const Error& e) {
      throw Error(Errc::key, subject_, "the token refused to sign (removed, or the module failed?): " + e.reason());
    }
  }

 private:
  std::unique_ptr<Token> token_;
  ossl::PKey key_;
  std::vector<Certificate> chain_;
  SignatureScheme scheme_ = SignatureScheme::rsa_pkcs1;
  std::size_t max_size_ = 0;
  std::string subject_;
};

Certificate to_certificate(X509* x) { return Certificate::from_x509(x); }

}  // namespace

std::unique_ptr<Signer> open_pkcs11(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets) {
  const std::string subject = profile.file.string();
  pkcs11::Uri uri = pkcs11::parse_uri(src.uri, subject);
  std::string module = src.module ? src.module->string() : !uri.module_path.empty() ? uri.module_path : default_module();

  auto token = std::make_unique<Token>();
  token->load(module, subject);
  PKCS11_SLOT* slot = token->find(uri, subject);
  PKCS11_TOKEN* t = slot->token;
  const std::string name = std::string("token ") + t->label;

  if (t->loginRequired) {
    if (t->userPinLocked) throw Error(Errc::key, subject, name + ": the user PIN is locked; it must be reset on the token");
    if (t->userPinFinalTry)
      secrets.notice(name + ": the next wrong PIN locks the token (final try)");
    else if (t->userPinCountLow)
      secrets.notice(name + ": a wrong PIN was entered before; few tries remain");
    Secret pin = secrets.resolve(src.pin.value_or("prompt"), "PIN for " + name, profile.file.parent_path(), subject);
    if (PKCS11_open_session(slot, 0) != 0) ossl::fail(Errc::key, subject, name + ": cannot open a session");
    // One attempt only: a retry with the same wrong PIN would spend another of the token's tries.
    if (PKCS11_login(slot, 0, pin.reveal().c_str()) != 0) {
      std::string reason = ossl::drain_errors();
      throw Error(Errc::key, subject, name + ": login failed (" + (reason.empty() ? "wrong PIN?" : reason) +
                                          "); not retried, to spare the token's PIN tries");
    }
  }

  PKCS11_KEY* keys = nullptr;
  unsigned int nkeys = 0;
  if (PKCS11_enumerate_keys(t, &keys, &nkeys) != 0) ossl::fail(Errc::key, subject, name + ": cannot list keys");
  PKCS11_KEY* key = nullptr;
  for (unsigned i = 0; i < nkeys; ++i) {
    if (!uri.object.empty() && (keys[i].label == nullptr || uri.object != keys[i].label)) continue;
    if (!uri.id.empty() && !same_id(keys[i].id, keys[i].id_len, uri.id)) continue;
    key = &keys[i];
    break;
  }
  if (key == nullptr) throw Error(Errc::key, subject, name + ": no private key matches " + src.uri);
  ossl::PKey pkey(PKCS11_get_private_key(key));
  if (!pkey) ossl::fail(Errc::key, subject, name + ": cannot use the private key");

  std::vector<Certificate> chain;
  if (src.cert) {
    append_chain(chain, src.cert);
  } else {
    PKCS11_CERT* certs = nullptr;
    unsigned int ncerts = 0;
    if (PKCS11_enumerate_certs(t, &certs, &ncerts) != 0) ossl::fail(Errc::key, subject, name + ": cannot list certificates");
    for (unsigned i = 0; i < ncerts && chain.empty(); ++i) {
      bool match = key->id_len > 0 ? same_id(certs[i].id, certs[i].id_len, Bytes(key->id, key->id + key->id_len))
                                   : certs[i].label && key->label && std::string(certs[i].label) == key->label;
      if (match && certs[i].x509) chain.push_back(to_certificate(certs[i].x509));
    }
    if (chain.empty())
      throw Error(Errc::key, subject, name + ": no certificate with the key's id on the token; set key.cert in the profile");
  }
  append_chain(chain, src.chain);
  if (X509_check_private_key(chain.front().native(), pkey.get()) != 1) {
    ossl::clear_errors();
    // libp11 keys carry their public half; a mismatch means the profile pairs the wrong files.
    EVP_PKEY* cert_key = X509_get0_pubkey(chain.front().native());
    if (EVP_PKEY_eq(cert_key, pkey.get()) != 1)
      throw Error(Errc::key, subject, name + ": the certificate does not belong to the key " + src.uri);
  }
  ossl::clear_errors();
  return std::make_unique<Pkcs11Signer>(std::move(token), std::move(pkey), std::move(chain), profile.signature.rsa_padding,
                                        name);
}

}  // namespace esign
