// Key Vault's certificate operations for esign certs: a new key and its request made in the
// vault (create with issuer "Unknown"), the issued certificate merged, a PKCS#12 imported.
#pragma once

#include <string>
#include <vector>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/secret.h"
#include "keys/azure_vault.h"

namespace esign::azure {

struct KeyPolicy {
  std::string kty;  // "RSA" or "EC"
  int key_size = 0;  // RSA
  std::string crv;  // EC: "P-256", "P-384"
};

// POST /certificates/{name}/create: Key Vault makes a new, non-exportable key (a new version when
// the name exists; older versions stay) and returns the pending operation's PKCS#10 request (DER).
// `subject` is RFC 2253 text; `emails` and `dns_names` the SANs Key Vault takes. Throws
// service_error() when refused, Error(remote) for an answer without a request.
Bytes create_certificate(Vault& vault, const std::string& subject, const std::vector<std::string>& emails,
                         const std::vector<std::string>& dns_names, const KeyPolicy& key);

// GET /certificates/{name}/pending: the request (DER) of the pending operation. Throws
// service_error() (404 when there is none).
Bytes pending_request(Vault& vault);

// POST /certificates/{name}/pending/merge with the certificate and its chain (x5c, leaf first).
void merge_certificate(Vault& vault, const std::vector<Certificate>& chain);

// POST /certificates/{name}/import: a PKCS#12 file's key (made non-exportable) and certificate.
void import_certificate(Vault& vault, const Bytes& pkcs12, const Secret& password);

}  // namespace esign::azure
