// X.509 certificates and digests, without exposing OpenSSL to callers.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "esign/bytes.h"

struct x509_st;  // OpenSSL's X509, kept opaque here

namespace esign {

enum class DigestAlgorithm { sha256, sha384, sha512 };

// "sha256" etc.; parse_digest_algorithm throws Error(config) for anything else.
std::string to_string(DigestAlgorithm a);
DigestAlgorithm parse_digest_algorithm(const std::string& name, const std::string& subject);
std::size_t digest_size(DigestAlgorithm a);

struct Digest {
  DigestAlgorithm algorithm = DigestAlgorithm::sha256;
  Bytes value;
};

// One-shot and streaming hashing. Hasher is not thread-safe; use one per thread.
Digest digest_of(DigestAlgorithm a, ByteView data);
class Hasher {
 public:
  explicit Hasher(DigestAlgorithm a);
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();
  void update(ByteView data);
  Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DigestAlgorithm algorithm_;
};
// sha256 of a file's contents, streamed (hex). Throws Error(input) when unreadable.
std::string sha256_file_hex(const std::filesystem::path& file);

// The smallest keys esign signs with and accepts in a signature or its certificate path
// (ETSI TS 119 312: RSA below 2048 bits and elliptic curves below 256 bits are not fit for
// new signatures). Verification may raise them, never lower them.
struct KeyPolicy {
  static constexpr unsigned kMinRsaBits = 2048;
  static constexpr unsigned kMinEcBits = 256;
  unsigned min_rsa_bits = kMinRsaBits;
  unsigned min_ec_bits = kMinEcBits;
};

class Certificate {
 public:
  // Throws Error(input, subject) when `der` is not one DER certificate.
  static Certificate from_der(ByteView der, const std::string& subject = "certificate");
  // Shares an already parsed certificate (takes a new reference; the caller keeps its own).
  static Certificate from_x509(x509_st* x509);
  // Every certificate in a PEM file, in file order. Throws Error(input) when unreadable or empty.
  static std::vector<Certificate> load_pem_file(const std::filesystem::path& file);

  const Bytes& der() const { return der_; }
  std::string subject() const;        // RFC 2253 form, e.g. "CN=Asha,O=Example,C=IN"
  std::string issuer() const;
  std::string common_name() const;    // the CN, or the whole subject when there is none
  std::string serial_hex() const;
  std::string sha256_fingerprint() const;  // hex of SHA-256 over the DER
  // False when a key usage extension is present without digitalSignature or nonRepudiation.
  bool key_usage_allows_signing() const;
  // False when an extendedKeyUsage extension is present without a purpose that covers signing
  // documents (anyExtendedKeyUsage, documentSigning (RFC 9336), emailProtection, Adobe's
  // authentic-documents or Microsoft's document-signing purposes): a time-stamping, OCSP or
  // TLS certificate does not sign documents.
  bool extended_key_usage_allows_document_signing() const;
  // Empty when the public key meets `policy`; otherwise why not, e.g. "an RSA key of 1024 bits
  // (at least 2048 required)".
  std::string key_weakness(const KeyPolicy& policy) const;
  std::chrono::system_clock::time_point not_before() const;
  std::chrono::system_clock::time_point not_after() const;

  x509_st* native() const { return x509_.get(); }  // for lib/src only

 private:
  Bytes der_;
  std::shared_ptr<x509_st> x509_;
};

}  // namespace esign
