// Building detached CMS SignedData (RFC 5652) with CAdES baseline signed attributes, in stages
// around the signature value (which the sign module has the key make between them).
#pragma once

#include <chrono>
#include <optional>

#include "cms/validation_data.h"
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
               SignatureScheme scheme, ByteView timestamp_token = {}, const ValidationData* long_term = nullptr);

// The largest DER size assemble() can return for this signer and digest, with a token of at
// most `token_size` bytes (sizes placeholders).
std::size_t max_size(const PreparedSignature& prepared, const Signer& signer, std::size_t token_size = 0);

// The imprint a signature time-stamp covers: SHA-256 of the signature value.
Digest timestamp_imprint(ByteView signature_value);

namespace oid {
inline constexpr const char* signature_timestamp = "1.2.840.113549.1.9.16.2.14";
}

// OIDs used across the cms and verify modules.
namespace oid {
inline constexpr const char* data = "1.2.840.113549.1.7.1";
inline constexpr const char* signed_data = "1.2.840.113549.1.7.2";
inline constexpr const char* content_type = "1.2.840.113549.1.9.3";
inline constexpr const char* message_digest = "1.2.840.113549.1.9.4";
inline constexpr const char* signing_time = "1.2.840.113549.1.9.5";
inline constexpr const char* signing_certificate = "1.2.840.113549.1.9.16.2.12";
inline constexpr const char* signing_certificate_v2 = "1.2.840.113549.1.9.16.2.47";
inline constexpr const char* ri_ocsp_response = "1.3.6.1.5.5.7.16.2";  // RFC 5940 §4.1
}  // namespace oid

const char* digest_oid(DigestAlgorithm a);
// ecdsa-with-SHA256/384/512 (RFC 5758 §3.2).
const char* ecdsa_oid(DigestAlgorithm a);
// RFC 4055 §3.1 RSASSA-PSS-params as esign declares them: the digest, MGF1 with the same
// digest, salt length = digest length.
Bytes rsassa_pss_params(DigestAlgorithm a);

}  // namespace esign::cms
