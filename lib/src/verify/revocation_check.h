// Revocation status of a validated certificate path: embedded evidence first (a PDF's DSS, a
// CMS's crls field), then the certificates' OCSP responders and CRLs unless offline.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "der/validation_data.h"
#include "esign/verify.h"
#include "tsp/revocation.h"
#include "verify/outcome.h"

namespace esign::verify {

// Online answers shared by every file of a run (a batch repeats the same few certificates).
// Thread-safe; bounded.
class OnlineStatusCache {
 public:
  tsp::Fetched fetch(X509* cert, X509* issuer);

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  std::mutex mutex_;
  std::map<Bytes, tsp::Fetched> entries_;  // key: DER of cert and issuer
};

struct RevocationContext {
  const der::ValidationData* embedded = nullptr;  // may be null: nothing embedded
  bool online = true;                             // false: --offline
  OnlineStatusCache* cache = nullptr;
  RevocationPolicy policy = RevocationPolicy::require;
  // How long before the time being proven embedded evidence may have been issued; nullopt: the
  // evidence's own update interval (nextUpdate - thisUpdate), zero when it has no nextUpdate.
  std::optional<std::chrono::seconds> max_age;
};

struct PathStatus {
  bool ok = false;
  bool all_embedded = false;  // every certificate's status came from embedded evidence (B-LT)
  std::string detail;         // one line: what was found, or why not ok
  Failure failure;            // when !ok: REVOKED (TOTAL-FAILED) or TRY_LATER (INDETERMINATE)
  std::vector<ValidationObject> used;  // the OCSP responses and CRLs relied on
};

// Checks every certificate of `path` (leaf first, trust anchor last; the anchor itself is not
// checked) as of `proof_time`, the earliest proof that the signature existed (a time-stamp), or
// now when there is none. A certificate revoked after `proof_time` does not invalidate what
// existed before; without one any revocation does. Embedded evidence is used first: a
// "revoked" answer always counts, a "good" one only when fresh for the time it proves (issued
// no earlier than ctx.max_age, or the evidence's own update interval, before it). Then, unless
// offline, the certificate's OCSP responders and CRLs. A certificate that names no OCSP
// responder and no CRL, with nothing embedded, passes (its CA publishes no status) but does not
// count as embedded. A status that cannot be determined fails (INDETERMINATE, TRY_LATER) under
// RevocationPolicy::require and is noted under soft_fail; `off` checks nothing.
// Whose path it is: a time-stamping authority's tokens say themselves when they were made, so a
// TSA certificate revoked for a reason that may mean its key was compromised (anything but
// unspecified, affiliationChanged, superseded, cessationOfOperation; or no reason) invalidates
// all its tokens, whatever their time (RFC 3161 §4).
enum class PathRole { signer, timestamp_authority };

PathStatus check_path(const std::vector<X509*>& path, std::optional<std::chrono::system_clock::time_point> proof_time,
                      const RevocationContext& ctx, PathRole role = PathRole::signer);
// The same for a path as validation returns it (shared certificates).
PathStatus check_path(const std::vector<std::shared_ptr<X509>>& path,
                      std::optional<std::chrono::system_clock::time_point> proof_time, const RevocationContext& ctx,
                      PathRole role = PathRole::signer);

// The validation object for a DER certificate, OCSP response or CRL.
ValidationObject validation_object(const std::string& type, ByteView der, std::string summary);
// A certificate as a validation object (summary: its subject).
ValidationObject certificate_object(X509* cert);

// Archiving (B-LTA): whether `archived` holds every OCSP response and CRL among `used` (what a
// validation relied on), and there is at least one.
bool archives_evidence_of(const der::ValidationData& archived, std::span<const ValidationObject> used);

}  // namespace esign::verify
