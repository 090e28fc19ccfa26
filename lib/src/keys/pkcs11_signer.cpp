// Keys on PKCS#11 tokens and HSMs through libp11: one module load and one token login per
// process; signing goes through libp11's key methods (C_Sign on the token).
#include <libp11.h>
#include <openssl/x509.h>


#include "crypto/openssl.h"
#include "esign/error.h"
#include "keys/openers.h"
#include "keys/pkcs11_token.h"

namespace esign {

namespace {

using pkcs11::Token;

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
  // One call at a time. libp11 (0.4.12) keeps a pool of sessions per token and gives each
  // concurrent call its own, which is faster on SoftHSM2 (esign bulk --jobs 2, 2 000 PDFs,
  // RSA-2048: two in flight 0.97-1.30 s, one 1.31-1.41 s). But when the token goes away (a USB
  // token pulled, a p11-kit server gone) a call that cannot open a session waits for another to
  // come back, for ever: with two in flight both wait and the job hangs (seen in e2e_pkcs11).
  // A slower job beats one that never ends.
  bool concurrent() const override { return false; }
  BatchLimits batch_limits(const BatchSettings& wanted) const override {
    return settle_batch_limits(BatchLimits{}, wanted, 1,
                               "libp11 hangs when a token is removed with several calls in flight");
  }
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
  auto token = std::make_unique<Token>(src, profile, secrets);
  const std::string& name = token->name();
  PKCS11_KEY* key = token->find_key();
  if (key == nullptr) throw Error(Errc::key, subject, name + ": no private key matches " + src.uri);
  ossl::PKey pkey = token->private_key(key);

  std::vector<Certificate> chain;
  if (src.cert) {
    append_chain(chain, src.cert);
  } else {
    if (PKCS11_CERT* cert = token->find_cert(key)) chain.push_back(to_certificate(cert->x509));
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
