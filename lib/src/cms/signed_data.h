// Building detached CMS SignedData (RFC 5652) with CAdES baseline signed attributes, in stages
// around the signature value (which the sign module has the key make between them).
#pragma once

#include <chrono>
#include <optional>

#include "der/validation_data.h"
#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/signer.h"

namespace esign::cms {

// What goes into the signed attributes besides the ones every signature carries
// (content-type id-data, message-digest, ESS signing-certificate-v2).
struct AttributeOptions {
  // CAdES carries signing-time; PAdES must not (ETSI EN 319 142-1 §5.2.3: the time is /M).
  std::optional<std::chrono::system_clock::time_point> signing_time;
};

// Stage 1 of signing: the signed attributes and the digest the key must sign.
struct PreparedSignature {
  Bytes signed_attributes;  // DER SET OF Attribute (tag 0x31), as it is hashed
  Digest to_sign;           // digest of signed_attributes with the content's algorithm
};

PreparedSignature prepare(const Digest& content_digest, const Certificate& signer_cert, const AttributeOptions& options);

// Stage 3: the DER ContentInfo wrapping SignedData for `prepared` and the signature value, with
// a signature time-stamp token as unsigned attribute when given (EN 319 122-1 §5.3, B-T), and
// long-term validation material in the certificates and crls fields when given (B-LT).
Bytes assemble(const PreparedSignature& prepared, ByteView signature_value, const std::vector<Certificate>& chain,
               SignatureScheme scheme, ByteView timestamp_token = {}, const der::ValidationData* long_term = nullptr);

// The largest DER size assemble() can return for this signer and digest, with a token of at
// most `token_size` bytes (sizes placeholders).
std::size_t max_size(const PreparedSignature& prepared, const Signer& signer, std::size_t token_size = 0);

// The imprint a signature time-stamp covers: SHA-256 of the signature value.
Digest timestamp_imprint(ByteView signature_value);

}  // namespace esign::cms
