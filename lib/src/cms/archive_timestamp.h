// CAdES B-LTA (ETSI EN 319 122-1 §5.5): the ats-hash-index-v3 (§5.5.2) and archive-time-stamp-v3
// (§5.5.3) unsigned attributes. Reading a DER SignedData's parts exactly as they are encoded,
// adding validation data and archive time-stamps to it, and checking the archive time-stamps
// a signature carries.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "der/oid.h"
#include "der/validation_data.h"
#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/timestamp.h"

namespace esign::cms {

// What is read from a CMS at most (every input is hostile; a CMS over these is refused).
inline constexpr std::size_t kMaxArchiveTimestamps = 64;   // checked per signer; more fail unchecked
inline constexpr std::size_t kMaxIndexEntries = 4096;      // hashes in one ats-hash-index-v3
inline constexpr std::size_t kMaxItems = 4096;             // certificates; revocation values; attribute values
inline constexpr std::size_t kMaxUnsignedAttributes = 1024;
inline constexpr std::size_t kMaxSignerInfos = 64;

// One SignerInfo (RFC 5652 §5.3), each field the complete TLV as encoded.
struct SignerInfoParts {
  ByteView whole;
  ByteView version, sid, digest_algorithm;
  ByteView signed_attrs;  // the [0] IMPLICIT SET, tag included; empty when absent
  ByteView signature_algorithm, signature;
  std::vector<ByteView> unsigned_attrs;  // each Attribute, in order of appearance
};

// A ContentInfo holding SignedData (RFC 5652 §5.1, §5.2), each part the complete TLV as encoded.
struct SignedDataParts {
  ByteView content_type;  // the ContentInfo's OID
  ByteView version, digest_algorithms, encap_content_info;
  ByteView econtent_type;          // the OID TLV inside encapContentInfo
  std::optional<ByteView> econtent;  // the eContent OCTET STRING's octets, when attached
  bool has_certificates = false, has_crls = false;
  std::vector<ByteView> certificates;  // CertificateChoices
  std::vector<ByteView> crls;          // RevocationInfoChoice: a CertificateList or [1] OtherRevocationInfoFormat
  std::vector<SignerInfoParts> signers;
};

// Reads `der` as one DER (definite-length) ContentInfo with SignedData within the limits above.
// Returns false and why (one line) otherwise; never throws for bad input.
bool parse_signed_data(ByteView der, SignedDataParts& out, std::string& why);

// An Attribute { attrType, attrValues }: the OID TLV and each value's TLV. False when malformed.
struct AttributeParts {
  ByteView type;  // the OID TLV
  std::string oid;
  std::vector<ByteView> values;
};
bool parse_attribute(ByteView der, AttributeParts& out);

// The validation data a SignedData carries: its certificates (X.509 ones), CRLs and OCSP
// responses (id-ri-ocsp-response, RFC 5940).
der::ValidationData held_validation_data(const SignedDataParts& sd);

// The ATSHashIndexV3 (DER) of `signer` as the SignedData stands now (§5.5.2): `alg` names the
// hash (hashIndAlgorithm, always written out, as EU DSS does); then the hash of every
// CertificateChoices, of every RevocationInfoChoice and of every unsigned attribute value
// (attrType TLV followed by the AttributeValue TLV), in order of appearance.
Bytes ats_hash_index(const SignedDataParts& sd, const SignerInfoParts& signer, DigestAlgorithm alg);

// The input of an archive-time-stamp-v3's message imprint (§5.5.3): eContentType TLV, the
// octets of the signed content's hash (`content_digest`, with the token's algorithm), the
// SignerInfo's version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm and signature
// TLVs, and the ATSHashIndexV3 TLV `index` (as it is encoded in the token).
Bytes archive_timestamp_input(const SignedDataParts& sd, const SignerInfoParts& signer, const Digest& content_digest,
                              ByteView index);

// Adds the certificates and revocation values of `data` that the CMS does not hold yet (CRLs
// as they are, OCSP responses as id-ri-ocsp-response); the certificates and crls fields are
// written in DER order, everything else as it was. Throws Error(input, subject) when `cms_der`
// cannot be read.
Bytes add_validation_data(ByteView cms_der, const der::ValidationData& data, const std::string& subject);

// Adds an archive-time-stamp-v3 to SignerInfo `signer_index` (§5.5.3): the ATSHashIndexV3 of the
// CMS as it stands, with `content_digest.algorithm`; a token from `timestamper` over the hash of
// the §5.5.3 input; the index as the token's ats-hash-index-v3 unsigned attribute; the token as
// the last unsigned attribute of the SignerInfo (the ones before keep their order). The caller
// first adds the validation data of everything the time-stamp is to cover. Throws
// Error(input, subject) when `cms_der` cannot be read, Error(remote) from the TSA or for a token
// that is not DER.
Bytes add_archive_timestamp(ByteView cms_der, std::size_t signer_index, const Digest& content_digest,
                            Timestamper& timestamper, const std::string& subject);

// The digest algorithm a DER AlgorithmIdentifier names (SHA-256/384/512, parameters absent or
// NULL), nullopt otherwise.
std::optional<DigestAlgorithm> digest_algorithm_of(ByteView algorithm_identifier);

// The hash algorithm of a time-stamp token's messageImprint, nullopt when it cannot be read.
std::optional<DigestAlgorithm> token_imprint_algorithm(ByteView token);

struct ArchiveTimestampCheck {
  bool ok = false;
  std::string error;                                   // why not ok (one line)
  std::chrono::system_clock::time_point time;          // the token's genTime when ok
  std::vector<std::shared_ptr<X509>> tsa_path;         // the TSA's validated path (leaf first), as tsp::check gives it
  Bytes token;                                         // DER of the time-stamp token
  // Where the attribute is among the SignerInfo's unsigned attributes (order of appearance).
  std::size_t attribute_index = 0;
  // What the time-stamp covers, as positions in SignedData.certificates, SignedData.crls and
  // the SignerInfo's unsigned attributes (order of appearance): the items its index lists.
  // Filled when the index checks out (even if the token then fails).
  std::vector<std::size_t> covered_certificates, covered_crls, covered_unsigned_attributes;
};

// Every archive-time-stamp-v3 of the SignerInfo `signer_index` of the DER ContentInfo `cms_der`, in
// order of appearance. `content_digest(alg)` returns the digest of the signed content (detached data or
// eContent) with `alg`. Each ATSv3 is checked: its ats-hash-index-v3 is well-formed, every hash it lists
// matches an item still present (a certificate, a revocation value, an unsigned attribute value),
// nothing it covered was removed or altered, and the token's imprint matches the §5.5.3 input, with the
// token itself checked via tsp::check against `trust`. Never throws for bad input.
// A CMS that is not DER (indefinite lengths) cannot be checked: each archive-time-stamp-v3 that
// OpenSSL finds in it is reported not ok. At most kMaxArchiveTimestamps are checked; any further
// one is reported not ok.
std::vector<ArchiveTimestampCheck> check_archive_timestamps(ByteView cms_der, std::size_t signer_index,
                                                            const std::function<Digest(DigestAlgorithm)>& content_digest,
                                                            X509_STORE* trust);

}  // namespace esign::cms
