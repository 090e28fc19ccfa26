// The signer certificate's issuers from its AIA caIssuers URLs, for key sources whose service
// hands out only the leaf (Azure Key Vault's certificates API).
#pragma once

#include <vector>

#include "esign/certificate.h"

namespace esign::azure {

// Appends to `chain` (the leaf first) the issuer of its last certificate, fetched from that
// certificate's authorityInfoAccess caIssuers URL (RFC 5280 §4.2.2.1: a DER or PEM certificate,
// or a certs-only CMS), and so on up to a self-issued certificate or one without the extension
// (at most a few levels). Throws Error(remote) when a fetch fails, Error(config) for a plain
// http:// URL to a non-loopback host, Error(input) when what is served did not issue the certificate.
void append_issuers(std::vector<Certificate>& chain);

}  // namespace esign::azure
