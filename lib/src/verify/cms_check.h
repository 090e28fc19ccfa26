// The checks every CMS signature gets, whether it sits in a PDF or in a .p7s file.
#pragma once

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include <openssl/x509.h>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "common/time.h"
#include "esign/verify.h"

namespace esign::verify {

// Parses a DER certificate, sharing one X509 per distinct encoding (OpenSSL 3.0 spends most of a
// verification decoding public keys, and a batch of files repeats the same few certificates).
// Thread-safe. Returns nullptr for bytes that are not a certificate.
class CertificateCache {
 public:
  std::shared_ptr<X509> parse(ByteView der);

 private:
  static constexpr std::size_t kMaxEntries = 4096;  // hostile input cannot grow it without bound
  std::mutex mutex_;
  std::map<Bytes, std::shared_ptr<X509>, std::less<>> entries_;
};

// Remembers certificate paths that validated: for the same signer, intermediates and trust
// store, a path valid at one time is valid at any time inside every certificate's validity
// period (no revocation is consulted at B-B). Thread-safe; bounded like CertificateCache.
class ChainCache {
 public:
  bool valid_at(const Bytes& key, std::time_t t);
  void remember(Bytes key, std::time_t not_before, std::time_t not_after);

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  std::mutex mutex_;
  std::map<Bytes, std::pair<std::time_t, std::time_t>> entries_;
};

struct CmsContext {
  X509_STORE* trust = nullptr;
  CertificateCache* certificates = nullptr;
  ChainCache* chains = nullptr;
  // Digests of the detached content with each algorithm asked for, in one pass over it; empty
  // when there is no detached content (then the CMS must carry it, attached).
  std::function<std::vector<Digest>(const std::vector<DigestAlgorithm>&)> content_digests;
  // PAdES: the time from /M (the validation time for B-B); CAdES: from the signing-time attribute.
  std::optional<std::chrono::system_clock::time_point> claimed_time;
  bool pades = false;  // ETSI.CAdES.detached: signing-certificate-v2 required, signing-time forbidden
};

// Fills report.checks, signer, signing_time, valid and error. Never throws for bad input.
void check_cms(ByteView der, const CmsContext& ctx, SignatureReport& report);

using esign::rfc3339;  // common/time.h

}  // namespace esign::verify
