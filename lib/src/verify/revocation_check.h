// Revocation status of a validated certificate path: embedded evidence first (a PDF's DSS, a
// CMS's crls field), then the certificates' OCSP responders and CRLs unless offline.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "cms/validation_data.h"
#include "tsp/revocation.h"

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
  const cms::ValidationData* embedded = nullptr;  // may be null: nothing embedded
  bool online = true;                             // false: --offline
  OnlineStatusCache* cache = nullptr;
};

struct PathStatus {
  bool ok = false;
  bool all_embedded = false;  // every certificate's status came from embedded evidence (B-LT)
  std::string detail;         // one line: what was found, or why not ok
};

// Checks every certificate of `path` (leaf first, trust anchor last; the anchor itself is not
// checked). A certificate revoked after `trusted_time` (a signature time-stamp) does not
// invalidate what was signed before; without a trusted time any revocation does. A certificate
// that names no OCSP responder and no CRL, with nothing embedded, passes (its CA publishes no
// status) but does not count as embedded. Anything else that cannot be determined fails.
PathStatus check_path(const std::vector<X509*>& path, std::optional<std::chrono::system_clock::time_point> trusted_time,
                      const RevocationContext& ctx);
// The same for a path as validation returns it (shared certificates).
PathStatus check_path(const std::vector<std::shared_ptr<X509>>& path,
                      std::optional<std::chrono::system_clock::time_point> trusted_time, const RevocationContext& ctx);

}  // namespace esign::verify
