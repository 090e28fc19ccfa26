// Object identifiers that depend on the digest algorithm, and RSASSA-PSS parameters.
#include "der/oid.h"

#include "der/der.h"

namespace esign::oid {

const char* digest(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return "2.16.840.1.101.3.4.2.1";
    case DigestAlgorithm::sha384: return "2.16.840.1.101.3.4.2.2";
    case DigestAlgorithm::sha512: return "2.16.840.1.101.3.4.2.3";
  }
  return "2.16.840.1.101.3.4.2.1";
}

const char* rsa_with(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return "1.2.840.113549.1.1.11";
    case DigestAlgorithm::sha384: return "1.2.840.113549.1.1.12";
    case DigestAlgorithm::sha512: return "1.2.840.113549.1.1.13";
  }
  return "1.2.840.113549.1.1.11";
}

const char* ecdsa_with(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return "1.2.840.10045.4.3.2";
    case DigestAlgorithm::sha384: return "1.2.840.10045.4.3.3";
    case DigestAlgorithm::sha512: return "1.2.840.10045.4.3.4";
  }
  return "1.2.840.10045.4.3.2";
}

}  // namespace esign::oid

namespace esign::der {

Bytes rsassa_pss_params(DigestAlgorithm a) {
  Bytes hash = sequence({oid(oid::digest(a))});  // RFC 5754 §2: absent parameters
  Bytes mgf = sequence({oid(oid::mgf1), hash});
  Bytes salt = small_integer(static_cast<int>(digest_size(a)));
  return sequence({tlv(tag::context(0), hash), tlv(tag::context(1), mgf), tlv(tag::context(2), salt)});
}

}  // namespace esign::der
