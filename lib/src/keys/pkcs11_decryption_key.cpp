// open_pkcs11_decryption_key: a token key for CMS decryption; the Token stays open as its backing.
#include <libp11.h>
#include <openssl/pem.h>

#include "keys/decryption_key.h"
#include "keys/pkcs11_token.h"

namespace esign {

DecryptionKey open_pkcs11_decryption_key(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets) {
  auto token = std::make_shared<pkcs11::Token>(src, profile, secrets);
  const std::string name = token->name();
  PKCS11_KEY* key = token->find_key();
  if (key == nullptr) throw Error(Errc::key, profile.file.string(), name + ": no private key matches " + src.uri);

  DecryptionKey out;
  out.subject = name;
  if (src.cert) {
    ossl::Bio bio(BIO_new_file(src.cert->c_str(), "rb"));
    if (!bio) ossl::fail(Errc::input, src.cert->string(), "cannot open certificate file");
    out.cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!out.cert) ossl::fail(Errc::input, src.cert->string(), "not a PEM certificate");
  } else if (PKCS11_CERT* cert = token->find_cert(key)) {
    out.cert.reset(X509_dup(cert->x509));
  } else {
    throw Error(Errc::key, profile.file.string(),
                name + ": no certificate with the key's id on the token; set key.cert in the profile");
  }
  int type = PKCS11_get_key_type(key);
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
    throw Error(Errc::key, profile.file.string(), name + ": only RSA and EC token keys can decrypt");
  out.key = token->private_key(key);
  // libp11 keys carry their public half: a profile pairing the wrong certificate is refused here,
  // not as "not encrypted to this key" later.
  if (X509_check_private_key(out.cert.get(), out.key.get()) != 1 &&
      EVP_PKEY_eq(X509_get0_pubkey(out.cert.get()), out.key.get()) != 1) {
    ossl::clear_errors();
    throw Error(Errc::key, profile.file.string(), name + ": the certificate does not belong to the key " + src.uri);
  }
  ossl::clear_errors();
  out.backing = std::move(token);
  return out;
}

}  // namespace esign
