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
#include "tsp/tsp.h"
#include "verify/revocation_check.h"

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
// period (revocation is checked separately, on the remembered path). Thread-safe; bounded.
class ChainCache {
 public:
  using Path = std::vector<std::shared_ptr<X509>>;  // leaf first, trust anchor last
  // A validated path and its certificates as the report lists them.
  struct Validated {
    Path path;
    std::vector<ValidationObject> certificates;
  };
  // The path remembered for `key` when `t` lies inside it, else nullopt.
  std::optional<Validated> path_at(const Bytes& key, std::time_t t);
  void remember(Bytes key, std::time_t not_before, std::time_t not_after, Validated validated);

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  struct Entry {
    std::time_t not_before, not_after;
    Validated validated;
  };
  std::mutex mutex_;
  std::map<Bytes, Entry> entries_;
};

// Issuer certificates fetched from the addresses in certificates' AIA caIssuers, each address
// asked once per run. The addresses come from certificates nobody vouches for yet, so a run asks
// at most kMaxFetches of them, kTimeout each: a hostile file cannot make verify wait long or
// ask many hosts. Thread-safe.
class IssuerCache {
 public:
  static constexpr std::size_t kMaxFetches = 16;
  static constexpr std::size_t kMaxUrlsPerCertificate = 2;
  static constexpr std::chrono::seconds kTimeout{5};
  std::vector<std::shared_ptr<X509>> issuers_of(X509* cert);

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<std::shared_ptr<X509>>> entries_;  // by URL, at most kMaxFetches
};

struct CmsContext {
  X509_STORE* trust = nullptr;
  CertificateCache* certificates = nullptr;
  ChainCache* chains = nullptr;
  // Digests of the detached content with each algorithm asked for, in one pass over it; empty
  // when there is no detached content (then the CMS must carry it, attached).
  std::function<std::vector<Digest>(const std::vector<DigestAlgorithm>&)> content_digests;
  // PAdES: the time in /M; CAdES: from the signing-time attribute. The signer's claim: shown,
  // never used as the validation time.
  std::optional<std::chrono::system_clock::time_point> claimed_time;
  // PAdES: the earliest valid document time-stamp over the revision that holds the signature.
  std::optional<std::chrono::system_clock::time_point> document_timestamp;
  // Untrusted certificates that may complete a signer's path besides the CMS's own: --certs.
  // (A PDF's DSS /Certs come with revocation.embedded.)
  const std::vector<std::shared_ptr<X509>>* intermediates = nullptr;
  IssuerCache* issuers = nullptr;  // null: never fetch issuers (--offline)
  bool pades = false;  // ETSI.CAdES.detached: signing-certificate-v2 required, signing-time forbidden
  // A PDF signature: the CMS must be detached and `content_digests` (the /ByteRange) is what it
  // signs. Otherwise (.p7s): the detached data when there is some (attached content, if also
  // present, must be the same bytes), else the attached content.
  bool detached_only = false;
  KeyPolicy keys;
  // Revocation: `revocation.embedded` is what the container holds (a PDF's DSS); the CMS's own
  // certificates and crls fields are added to it here.
  RevocationContext revocation;
};

// Empty when every key of `path` (leaf first) meets `policy`; else which certificate falls short
// and why. `whose` names the leaf ("signer", "TSA").
std::string path_key_weakness(const std::vector<std::shared_ptr<X509>>& path, const KeyPolicy& policy,
                              const std::string& whose);

// Reports a time-stamp token checked on its own (a PDF document time-stamp, a .tsr file): the
// token check named `check`, then its TSA path's key strength (ctx.keys) and revocation
// (ctx.revocation, at the token's time). Fills checks, signer, timestamp_time, validation time,
// used objects, and concludes the report.
void report_timestamp(const tsp::TokenCheck& tc, const std::string& check, const CmsContext& ctx, SignatureReport& r);

// Fills report.checks, signer, signing_time, validation time, used objects, and concludes the
// report (indication, valid, error). Never throws for bad input.
void check_cms(ByteView der, const CmsContext& ctx, SignatureReport& report);

using esign::rfc3339;  // common/time.h

}  // namespace esign::verify
