// load_decryption_key: PKCS#12 and PEM keys read as keys/file_signer.cpp reads them; token and
// Key Vault keys opened by keys/ (decryption_key.h).
#include "envelope/decrypt_key.h"
#include "keys/pem_password.h"

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <algorithm>
#include <optional>

namespace esign::envelope {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

DecryptionKey from_pkcs12(const Pkcs12Source& src, const Profile& profile, const SecretResolver& secrets) {
  DecryptionKey out;
  out.subject = src.path.string();
  ossl::Bio bio(BIO_new_file(src.path.c_str(), "rb"));
  if (!bio) ossl::fail(Errc::input, out.subject, "cannot open PKCS#12 file");
  std::unique_ptr<PKCS12, ossl::Deleter<PKCS12_free>> p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) ossl::fail(Errc::input, out.subject, "not a PKCS#12 file");
  Secret password = secrets.resolve(src.password, "password for " + src.path.filename().string(),
                                    profile.file.parent_path(), profile.file.string());
  if (PKCS12_verify_mac(p12.get(), password.reveal().c_str(), static_cast<int>(password.reveal().size())) != 1) {
    ossl::clear_errors();
    throw Error(Errc::key, out.subject, "wrong PKCS#12 password (or the file is damaged)");
  }
  EVP_PKEY* pkey = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  if (PKCS12_parse(p12.get(), password.reveal().c_str(), &pkey, &cert, &ca) != 1)
    ossl::fail(Errc::key, out.subject, "cannot read the PKCS#12 contents");
  out.key.reset(pkey);
  out.cert.reset(cert);
  ossl::X509Stack extra(ca);
  if (!out.key || !out.cert)
    throw Error(Errc::input, out.subject, "the PKCS#12 file has no private key with a certificate");
  return out;
}


DecryptionKey from_pem(const PemSource& src, const Profile& profile, const SecretResolver& secrets) {
  DecryptionKey out;
  out.subject = src.key.string();
  std::optional<Secret> password;
  if (src.password)
    password = secrets.resolve(*src.password, "password for " + src.key.filename().string(), profile.file.parent_path(),
                               profile.file.string());
  ossl::Bio bio(BIO_new_file(src.key.c_str(), "rb"));
  if (!bio) ossl::fail(Errc::input, out.subject, "cannot open key file");
  PemPassword pc{password ? &*password : nullptr};
  out.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, pem_password_callback, &pc));
  if (!out.key) {
    ossl::clear_errors();
    if (pc.asked && !password)
      throw Error(Errc::config, out.subject, "the key is encrypted; set key.password in the profile");
    if (pc.asked) throw Error(Errc::key, out.subject, "wrong password for the private key");
    throw Error(Errc::input, out.subject, "not a PEM private key");
  }
  ossl::Bio cbio(BIO_new_file(src.cert.c_str(), "rb"));
  if (!cbio) ossl::fail(Errc::input, src.cert.string(), "cannot open certificate file");
  out.cert.reset(PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr));
  if (!out.cert) ossl::fail(Errc::input, src.cert.string(), "not a PEM certificate");
  return out;
}

void check_pair(const DecryptionKey& key) {
  if (X509_check_private_key(key.cert.get(), key.key.get()) != 1)
    ossl::fail(Errc::key, key.subject, "the private key does not match the certificate");
}

}  // namespace

DecryptionKey load_decryption_key(const Profile& profile, const SecretResolver& secrets) {
  // Token and vault keys are checked against their certificate when they are opened (their
  // private half is not readable, so X509_check_private_key cannot compare it).
  return std::visit(
      Overloaded{
          [&](const Pkcs12Source& s) {
            DecryptionKey key = from_pkcs12(s, profile, secrets);
            check_pair(key);
            return key;
          },
          [&](const PemSource& s) {
            DecryptionKey key = from_pem(s, profile, secrets);
            check_pair(key);
            return key;
          },
          [&](const Pkcs11Source& s) { return open_pkcs11_decryption_key(s, profile, secrets); },
          [&](const AzureKeyVaultSource& s) { return open_azure_decryption_key(s, profile, secrets); },
          [&](const CscSource&) -> DecryptionKey {
            // CSC API v2 offers signHash only: there is no decryption operation to call.
            throw Error(Errc::config, profile.file.string(),
                        "a csc key source cannot decrypt (the CSC API signs only); use a profile with the recipient key");
          },
      },
      profile.key);
}

}  // namespace esign::envelope
