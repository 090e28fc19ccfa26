// The algorithms `esign decrypt` accepts: an explicit list, checked before anything is written.
// OpenSSL alone opens more than it should: a key transport OID it does not know is decrypted as
// PKCS#1 v1.5, an AES-GCM tag of 4 bytes is checked as 4 bytes, 3DES content opens.
#pragma once

#include <openssl/cms.h>

#include <string>
#include <vector>

#include "esign/bytes.h"

namespace esign::envelope {

// One accepted algorithm: the dotted OID and the name messages (and the man page) use.
struct Algorithm {
  const char* oid;
  const char* name;
};

// The accepted lists (man/esign-decrypt.1, "Accepted algorithms", says the same):
const std::vector<Algorithm>& key_transport_algorithms();  // RSA key transport (KeyTransRecipientInfo)
const std::vector<Algorithm>& key_agreement_algorithms();  // ECDH key agreement (KeyAgreeRecipientInfo)
const std::vector<Algorithm>& key_wrap_algorithms();       // the key agreement's key wrap
const std::vector<Algorithm>& content_algorithms(bool authenticated);  // EnvelopedData, AuthEnvelopedData

// Every failure below is Error(input, subject) with a one-line reason.

// The content-encryption AlgorithmIdentifier (DER) of an EnvelopedData (AES-CBC) or, when
// `authenticated`, an AuthEnvelopedData (AES-GCM). Returns the cipher's name ("aes-256-gcm").
std::string check_content_algorithm(ByteView algorithm, bool authenticated, const std::string& subject);

// An AuthEnvelopedData's tag: `mac` (the OCTET STRING element, BER allowed) must be 12 to 16
// bytes long and as long as the AES-GCM parameters' aes-ICVlen (DEFAULT 12) in `algorithm`
// (RFC 5084 §3.2).
void check_gcm_tag(ByteView algorithm, ByteView mac, const std::string& subject);

// Every RecipientInfo, not only the profile's: key transport or key agreement with an accepted
// algorithm (and, for key agreement, an accepted key wrap). KEK, password and other recipients
// are refused.
void check_recipients(CMS_ContentInfo* cms, const std::string& subject);

}  // namespace esign::envelope
