// Inside the tsp module: the token checks shared by request() and check(), and the raw reply.
#pragma once

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include <string>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "tsp/tsp.h"

namespace esign::tsp {

// What a token must match besides its own consistency. Pointers are borrowed, may be null.
struct Expectation {
  const Digest* imprint = nullptr;      // the messageImprint must be exactly this (algorithm and value) ...
  ByteView data;                        // ... or, when imprint is null, the hash of `data` with the token's algorithm
  const ASN1_INTEGER* nonce = nullptr;  // when set, TSTInfo.nonce must be present and equal
  const ASN1_OBJECT* policy = nullptr;  // when set, TSTInfo.policy must equal it
  X509_STORE* trust = nullptr;          // when set, the TSA certificate must chain to it at genTime
  bool require_trust = true;            // when trust is null: fail (true) or skip the chain check (false)
};

// Checks the DER token against `expect`; never throws. See check() in tsp.h for the list.
TokenCheck check_token(ByteView token, const Expectation& expect);

// A TSA URL as messages may show it: without its query and without user:password@.
std::string url_subject(const std::string& url);

// What a TSA answered, once every check of request() passed.
struct Reply {
  Token token;
  std::string tsa_fingerprint;  // SHA-256 hex of the TSA certificate
  Bytes response;  // the DER TimeStampResp exactly as received (what a .tsr file holds)
};

// request(), keeping the whole response. Throws like request().
Reply request_reply(const TimestampSettings& settings, const Digest& imprint, const SecretResolver& secrets,
                    const std::string& profile_file);

}  // namespace esign::tsp
