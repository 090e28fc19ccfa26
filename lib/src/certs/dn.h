// Distinguished names for certificate requests: parse_dn's attributes as an OpenSSL X509_NAME.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "crypto/openssl.h"
#include "esign/certs.h"

namespace esign::certs {

using Name = std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME_free>>;

// The X509_NAME of `attributes` (most significant first), UTF-8 strings. Throws Error(usage,
// subject) when OpenSSL refuses a value (a country that is not two letters, a value too long).
Name to_x509_name(const std::vector<DnAttribute>& attributes, const std::string& subject);

}  // namespace esign::certs
