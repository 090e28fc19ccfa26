// One Azure Key Vault as a profile's azure-keyvault source reaches it: names and URLs checked
// before any request, bearer tokens from the login cache or the client secret, requests retried.
// Shared by the signer, the decryption key (unwrapkey) and esign certs.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "esign/bytes.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "http/http.h"
#include "keys/azure_auth.h"

namespace esign::azure {

// Base64 in either alphabet (RFC 4648 §4 and §5), padding optional: Key Vault sends `cer` as
// base64 and key operation values as base64url. Returns false on any other character.
bool decode_base64(std::string_view text, Bytes& out);

class Vault {
 public:
  // Checks key.vault_url, key.authority_url (https://, or http:// to loopback), the object names
  // and the tenant, then sets up the token provider (may resolve the client secret). Throws
  // Error(config) for a bad profile, and what SecretResolver throws.
  Vault(const AzureKeyVaultSource& src, const Profile& profile, const SecretResolver& secrets);

  const AzureKeyVaultSource& source() const { return src_; }
  const std::string& url() const { return url_; }  // the vault, without a trailing slash

  // One request to url() + path + ?api-version=...: retried on 429/5xx, and once with a new token
  // when the vault says 401. `path` starts with '/'. Any status is a Response.
  http::Response request(const std::string& method, const std::string& path, const std::string& body);

  struct CertificateInfo {
    Bytes der;                // the certificate
    std::string key_version;  // of the key that backs it ("" when `kid` names none)
  };
  // GET /certificates/{key.certificate}. Throws service_error() when refused, Error(remote) for
  // an answer without a certificate.
  CertificateInfo certificate();

  // /keys/{key.key}[/{version}]: key.key_version, else `backing_version` (the certificate's key).
  std::string key_path(const std::string& backing_version) const;

 private:
  AzureKeyVaultSource src_;
  std::string url_;
  std::string query_;
  std::unique_ptr<TokenProvider> tokens_;
};

}  // namespace esign::azure
