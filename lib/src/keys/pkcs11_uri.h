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
  std::string type;    // private, cert, ...
  std::string module_path;  // query: module-path
};

// Parses "pkcs11:token=esign;object=seal;id=%01". Throws Error(config, subject) for a malformed
// URI, unknown attributes, or a pin-value (a PIN never lives in a profile).
Uri parse_uri(const std::string& text, const std::string& subject);

}  // namespace esign::pkcs11
