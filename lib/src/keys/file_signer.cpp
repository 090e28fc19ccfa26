// Signers over keys in files: PKCS#12 bundles and PEM key + certificate pairs.
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>

#include <algorithm>

#include "crypto/openssl.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/signer.h"
#include "keys/openers.h"
#include "keys/pem_password.h"

namespace esign {

namespace {


Certificate to_certificate(X509* x, const std::string& subject) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(x, &buf);
  if (len <= 0) ossl::fail(Errc::input, subject, "cannot encode certificate");
  Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  return Certificate::from_der(der, subject);
}

// A key held in this process. sign() is thread-safe: each call uses its own EVP_PKEY_CTX.
class FileSigner final : public Signer {
 public:
  FileSigner(ossl::PKey key, std::vector<Certificate> chain, RsaPadding padding, std::string subject)
      : key_(std::move(key)), chain_(std::move(chain)), subject_(std::move(subject)) {
    int id = EVP_PKEY_get_base_id(key_.get());
    if (id == EVP_PKEY_RSA) scheme_ = padding == RsaPadding::pss ? SignatureScheme::rsa_pss : SignatureScheme::rsa_pkcs1;
    else if (id == EVP_PKEY_EC) scheme_ = SignatureScheme::ecdsa;
    else throw Error(Errc::key, subject_, "unsupported key type (RSA and EC keys are supported)");
    if (scheme_ == SignatureScheme::ecdsa && padding == RsaPadding::pss)
      throw Error(Errc::config, subject_, "signature.padding pss applies only to RSA keys");
    if (X509_check_private_key(chain_.front().native(), key_.get()) != 1)
      ossl::fail(Errc::key, subject_, "the private key does not match the certificate");
  }

  const std::vector<Certificate>& chain() const override { return chain_; }
  SignatureScheme scheme() const override { return scheme_; }
  bool concurrent() const override { return true; }
  std::size_t max_signature_size() const override { return static_cast<std::size_t>(EVP_PKEY_get_size(key_.get())); }

  Bytes sign(const Digest& digest) override { return sign_with_key(key_.get(), scheme_, digest, subject_); }
  // Signing costs CPU here, not waiting: the bulk workers sign themselves, one digest at a time
  // (a batch would only delay its documents), as many at once as there are workers.
  BatchLimits batch_limits(const BatchSettings& wanted) const override {
    return settle_batch_limits(BatchLimits{1, 256, std::chrono::milliseconds(0), true}, wanted, 256, "");
  }

 private:
  ossl::PKey key_;
  std::vector<Certificate> chain_;
  SignatureScheme scheme_ = SignatureScheme::rsa_pkcs1;
  std::string subject_;
};

}  // namespace

Bytes sign_with_key(EVP_PKEY* key, SignatureScheme scheme, const Digest& digest, const std::string& subject) {
  ossl::PKeyCtx ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1) ossl::fail(Errc::key, subject, "cannot start signing");
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), ossl::md_for(digest.algorithm)) != 1)
    ossl::fail(Errc::key, subject, "key does not accept " + to_string(digest.algorithm));
  if (scheme == SignatureScheme::rsa_pss) {
    // RFC 4055 §3.1 as CMS profiles use it: MGF1 with the same hash, salt length = hash length.
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), ossl::md_for(digest.algorithm)) != 1)
      ossl::fail(Errc::key, subject, "cannot set RSASSA-PSS parameters");
  } else if (scheme == SignatureScheme::rsa_pkcs1) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)
      ossl::fail(Errc::key, subject, "cannot set PKCS#1 v1.5 padding");
  }
  std::size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.value.data(), digest.value.size()) != 1)
    ossl::fail(Errc::key, subject, "signing failed");
  Bytes out(len);
  if (EVP_PKEY_sign(ctx.get(), out.data(), &len, digest.value.data(), digest.value.size()) != 1)
    ossl::fail(Errc::key, subject, "signing failed");
  out.resize(len);
  return out;
}


void append_chain(std::vector<Certificate>& chain, const std::optional<std::filesystem::path>& file) {
  if (!file) return;
  for (Certificate& c : Certificate::load_pem_file(*file)) {
    bool seen = std::any_of(chain.begin(), chain.end(), [&](const Certificate& x) { return x.der() == c.der(); });
    if (!seen) chain.push_back(std::move(c));
  }
}


std::unique_ptr<Signer> open_pkcs12(const Pkcs12Source& src, const Profile& profile, const SecretResolver& secrets) {
  const std::string subject = src.path.string();
  ossl::Bio bio(BIO_new_file(src.path.c_str(), "rb"));
  if (!bio) ossl::fail(Errc::input, subject, "cannot open PKCS#12 file");
  std::unique_ptr<PKCS12, ossl::Deleter<PKCS12_free>> p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) ossl::fail(Errc::input, subject, "not a PKCS#12 file");
  Secret password = secrets.resolve(src.password, "password for " + src.path.filename().string(),
                                    profile.file.parent_path(), profile.file.string());
  if (PKCS12_verify_mac(p12.get(), password.reveal().c_str(), static_cast<int>(password.reveal().size())) != 1) {
    ossl::clear_errors();
    throw Error(Errc::key, subject, "wrong PKCS#12 password (or the file is damaged)");
  }
  EVP_PKEY* pkey = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  if (PKCS12_parse(p12.get(), password.reveal().c_str(), &pkey, &cert, &ca) != 1)
    ossl::fail(Errc::key, subject, "cannot read the PKCS#12 contents");
  ossl::PKey key(pkey);
  ossl::X509Ptr leaf(cert);
  ossl::X509Stack extra(ca);
  if (!key || !leaf) throw Error(Errc::input, subject, "the PKCS#12 file has no private key with a certificate");
  std::vector<Certificate> chain{to_certificate(leaf.get(), subject)};
  for (int i = 0; extra && i < sk_X509_num(extra.get()); ++i) {
    Certificate c = to_certificate(sk_X509_value(extra.get(), i), subject);
    if (c.der() != chain.front().der()) chain.push_back(std::move(c));
  }
  append_chain(chain, src.chain);
  return std::make_unique<FileSigner>(std::move(key), std::move(chain), profile.signature.rsa_padding, subject);
}

int pem_password_callback(char* buf, int size, int /*rwflag*/, void* user) {
  auto* ctx = static_cast<PemPassword*>(user);
  ctx->asked = true;
  if (ctx->password == nullptr) return -1;
  const std::string& p = ctx->password->reveal();
  if (static_cast<int>(p.size()) > size) return -1;
  std::copy(p.begin(), p.end(), buf);
  return static_cast<int>(p.size());
}

ossl::PKey load_pem_key(const PemSource& src, const Profile& profile, const SecretResolver& secrets) {
  const std::string subject = src.key.string();
  std::optional<Secret> password;
  if (src.password)
    password = secrets.resolve(*src.password, "password for " + src.key.filename().string(), profile.file.parent_path(),
                               profile.file.string());
  ossl::Bio bio(BIO_new_file(src.key.c_str(), "rb"));
  if (!bio) ossl::fail(Errc::input, subject, "cannot open key file");
  PemPassword pc{password ? &*password : nullptr};
  ossl::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, pem_password_callback, &pc));
  if (!key) {
    ossl::clear_errors();
    if (pc.asked && !password) throw Error(Errc::config, subject, "the key is encrypted; set key.password in the profile");
    if (pc.asked) throw Error(Errc::key, subject, "wrong password for the private key");
    throw Error(Errc::input, subject, "not a PEM private key");
  }
  return key;
}

std::unique_ptr<Signer> open_pem(const PemSource& src, const Profile& profile, const SecretResolver& secrets) {
  const std::string subject = src.key.string();
  ossl::PKey key = load_pem_key(src, profile, secrets);
  std::vector<Certificate> chain;
  append_chain(chain, src.cert);
  append_chain(chain, src.chain);
  return std::make_unique<FileSigner>(std::move(key), std::move(chain), profile.signature.rsa_padding, subject);
}

}  // namespace esign
