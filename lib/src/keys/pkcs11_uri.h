// RFC 7512 PKCS#11 URIs: which token and which object a profile's key.uri names.
#pragma once

#include <optional>
#include <string>

#include "esign/bytes.h"

namespace esign::pkcs11 {

struct Uri {
  // Token attributes (path part); empty = any.
  std::string token, manufacturer, serial, model;
  // Object attributes.
  std::string object;  // CKA_LABEL
  Bytes id;            // CKA_ID
  std::string module_path;  // query: module-path
};

// Parses "pkcs11:token=esign;object=seal;id=%01" with p11-kit. Throws Error(config, subject) for a
// malformed URI, attributes RFC 7512 does not define, a URI that names no key (neither object= nor
// id=), or a pin-value/pin-source (a PIN never lives in a profile). type= is accepted and ignored:
// the key is always looked up as a private key, its certificate by the same label or id.
Uri parse_uri(const std::string& text, const std::string& subject);

}  // namespace esign::pkcs11
