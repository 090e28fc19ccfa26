// RFC 3161 time-stamp protocol: requesting tokens from a TSA and checking them.
#pragma once

#include <chrono>
#include <memory>
#include <vector>
#include <optional>
#include <string>

#include <openssl/x509.h>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign::tsp {

// A time-stamp token: the DER ContentInfo (SignedData over TSTInfo) a TSA returned.
struct Token {
  Bytes der;
  std::chrono::system_clock::time_point time;  // TSTInfo genTime
  std::string tsa;                             // subject of the TSA's signing certificate
};

// Asks the TSA for a token over `imprint` (RFC 3161 §2.4.1: SHA-256 message imprint, a random
// nonce, certReq true, the profile's policy if any), POSTed as application/timestamp-query with
// basic auth when configured. Before returning it checks (§2.4.2): status granted, imprint and
// nonce echoed, the TSA certificate present with the critical timeStamping extended key usage
// and only that, the token's signature; and, when settings.trust is given, the TSA chain.
// Throws Error(remote, url) for transport failures, refusals and any failed check.
Token request(const TimestampSettings& settings, const Digest& imprint, const SecretResolver& secrets,
              const std::string& profile_file);

// The result of checking a token found in a signed file (verify).
struct TokenCheck {
  bool ok = false;
  std::string error;                           // why not, when !ok
  // What failed: the token's shape, its signature, its imprint, or the TSA's path (then
  // `path_error` is the X509_V_ERR_* code).
  enum class Flaw { none, format, signature, imprint, path } flaw = Flaw::none;
  int path_error = 0;
  std::chrono::system_clock::time_point time;  // genTime
  std::string tsa;                             // TSA certificate subject
  std::string tsa_fingerprint;
  std::vector<std::shared_ptr<X509>> path;     // the validated TSA path, TSA first, anchor last
};

// Checks a token against the digest it must cover: structure, imprint (with the token's own hash
// algorithm: `data` is hashed here), signature, ESS signing certificate, the TSA certificate's
// timeStamping EKU, and its chain to `trust` at genTime. Never throws for bad input.
TokenCheck check(ByteView token, ByteView data, X509_STORE* trust);

}  // namespace esign::tsp
