// The object identifiers esign writes and looks for (CMS, CAdES, time-stamps, signature
// algorithms), and the AlgorithmIdentifier parameters built from them: shared by cms, tsp,
// keys (remote services name algorithms by OID), sign and verify.
#pragma once

#include "esign/bytes.h"
#include "esign/certificate.h"

namespace esign::oid {

// RFC 5652 content types and attributes.
inline constexpr const char* data = "1.2.840.113549.1.7.1";
inline constexpr const char* signed_data = "1.2.840.113549.1.7.2";
inline constexpr const char* content_type = "1.2.840.113549.1.9.3";
inline constexpr const char* message_digest = "1.2.840.113549.1.9.4";
inline constexpr const char* signing_time = "1.2.840.113549.1.9.5";
// ESS (RFC 2634, RFC 5035) and CAdES (ETSI EN 319 122-1).
inline constexpr const char* signing_certificate = "1.2.840.113549.1.9.16.2.12";
inline constexpr const char* signing_certificate_v2 = "1.2.840.113549.1.9.16.2.47";
inline constexpr const char* signature_timestamp = "1.2.840.113549.1.9.16.2.14";
inline constexpr const char* archive_timestamp_v3 = "0.4.0.1733.2.4";  // id-aa-ets-archiveTimestampV3
inline constexpr const char* ats_hash_index_v3 = "0.4.0.19122.1.5";    // id-aa-ATSHashIndex-v3
inline constexpr const char* ri_ocsp_response = "1.3.6.1.5.5.7.16.2";  // RFC 5940 §4.1
// Signature algorithms (RFC 8017, RFC 4055).
inline constexpr const char* rsa_encryption = "1.2.840.113549.1.1.1";
inline constexpr const char* rsassa_pss = "1.2.840.113549.1.1.10";
inline constexpr const char* mgf1 = "1.2.840.113549.1.1.8";

// id-sha256/384/512 (RFC 5754 §2).
const char* digest(DigestAlgorithm a);
// sha256/384/512WithRSAEncryption (RFC 4055 §5).
const char* rsa_with(DigestAlgorithm a);
// ecdsa-with-SHA256/384/512 (RFC 5758 §3.2).
const char* ecdsa_with(DigestAlgorithm a);

}  // namespace esign::oid

namespace esign::der {

// RFC 4055 §3.1 RSASSA-PSS-params as esign declares them: the digest, MGF1 with the same
// digest, salt length = digest length.
Bytes rsassa_pss_params(DigestAlgorithm a);

}  // namespace esign::der
