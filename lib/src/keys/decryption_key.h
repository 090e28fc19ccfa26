// A private key that decrypts (CMS key transport or key agreement) wherever it lives: an
// EVP_PKEY for OpenSSL's CMS code whose private operations may run on a token or in Key Vault,
// with what keeps those operations possible. envelope/ uses it; libp11 and libcurl stay in keys/.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "crypto/openssl.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {

struct DecryptionKey {
  std::shared_ptr<void> backing;  // the token session or vault client; outlives `key` (declared first)
  ossl::PKey key;                 // EVP_PKEY_decrypt (RSA) / EVP_PKEY_derive (EC) work on it
  ossl::X509Ptr cert;             // the key's certificate
  std::string subject;            // names the key in messages
  // Rethrows the Error behind the last failed private operation (a service's answer), which
  // OpenSSL can only report as "decrypt error"; does nothing when there is none (or when empty).
  std::function<void()> rethrow_failure;
};

// The token key the profile's URI names and its certificate (key.cert, else the token's
// certificate with the key's id). RSA decryption runs as C_Decrypt (CKM_RSA_PKCS, or
// CKM_RSA_X_509 under OpenSSL's OAEP decoding), EC key agreement as C_DeriveKey (CKM_ECDH1_DERIVE).
// Throws Error(key): login failed, no such key or certificate, a certificate of another key.
DecryptionKey open_pkcs11_decryption_key(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets);

// The Key Vault key of the profile (RSA only) and its certificate: RSA key transport is done by
// POST /keys/{name}/{version}/unwrapkey with RSA-OAEP-256 or RSA1_5 (the CMS's algorithm).
// Throws Error(key) for an EC key (Key Vault does no ECDH), Error(config/remote/auth) as the signer.
DecryptionKey open_azure_decryption_key(const AzureKeyVaultSource& src, const Profile& profile,
                                        const SecretResolver& secrets);

}  // namespace esign
