// Revocation checks of certificate paths for verify.
#include "verify/revocation_check.h"

#include "common/time.h"
#include "esign/certificate.h"

namespace esign::verify {

namespace {

Bytes der_of(X509* c) { return Certificate::from_x509(c).der(); }

struct Evidence {
  tsp::StatusCheck check;
  std::string source;
  bool embedded = false;
};

// The embedded evidence about `cert`: a revocation found anywhere wins over good answers.
std::optional<Evidence> from_embedded(X509* cert, X509* issuer, const cms::ValidationData& data) {
  std::optional<Evidence> best;
  auto consider = [&](tsp::StatusCheck s, const char* kind) {
    if (s.status == tsp::CertStatus::unknown) return;
    if (!best || s.status == tsp::CertStatus::revoked) best = Evidence{std::move(s), std::string("embedded ") + kind, true};
  };
  for (const Bytes& o : data.ocsps) consider(tsp::check_ocsp(o, cert, issuer), "OCSP response");
  for (const Bytes& c : data.crls) consider(tsp::check_crl(c, cert, issuer), "CRL");
  return best;
}

}  // namespace

tsp::Fetched OnlineStatusCache::fetch(X509* cert, X509* issuer) {
  Bytes key = der_of(cert);
  Bytes issuer_der = der_of(issuer);
  key.insert(key.end(), issuer_der.begin(), issuer_der.end());
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  tsp::Fetched f = tsp::fetch_status(cert, issuer);
  std::lock_guard lock(mutex_);
  if (entries_.size() < kMaxEntries) entries_.emplace(std::move(key), f);
  return f;
}

PathStatus check_path(const std::vector<X509*>& path, std::optional<std::chrono::system_clock::time_point> trusted_time,
                      const RevocationContext& ctx) {
  PathStatus out;
  out.ok = true;
  out.all_embedded = path.size() > 1;
  std::vector<std::string> notes;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    X509* cert = path[i];
    X509* issuer = path[i + 1];
    const std::string name = Certificate::from_x509(cert).common_name();
    std::optional<Evidence> e;
    if (ctx.embedded) e = from_embedded(cert, issuer, *ctx.embedded);
    if (!e) {
      out.all_embedded = false;
      const bool published = !tsp::ocsp_urls(cert).empty() || !tsp::crl_urls(cert).empty();
      if (!published) {
        notes.push_back(name + ": no status published");
        continue;
      }
      if (!ctx.online) {
        out.ok = false;
        out.detail = "the revocation status of " + name + " is unknown: nothing embedded, and --offline forbids asking";
        return out;
      }
      tsp::Fetched f = ctx.cache ? ctx.cache->fetch(cert, issuer) : tsp::fetch_status(cert, issuer);
      if (f.check.status == tsp::CertStatus::unknown) {
        out.ok = false;
        out.detail = "the revocation status of " + name + " is unknown (" + f.source + ")";
        return out;
      }
      e = Evidence{f.check, "OCSP/CRL from " + f.source, false};
    }
    if (e->check.status == tsp::CertStatus::revoked) {
      const std::string when = rfc3339(e->check.revoked_at);
      if (trusted_time && e->check.revoked_at > *trusted_time) {
        notes.push_back(name + ": revoked at " + when + ", after the time-stamp (" + e->source + ")");
        continue;
      }
      out.ok = false;
      out.detail = "the certificate " + name + " is revoked (" + e->check.detail + ", since " + when + "; " + e->source + ")";
      return out;
    }
    notes.push_back(name + ": good (" + e->source + ")");
  }
  for (const std::string& n : notes) out.detail += (out.detail.empty() ? "" : "; ") + n;
  return out;
}

PathStatus check_path(const std::vector<std::shared_ptr<X509>>& path,
                      std::optional<std::chrono::system_clock::time_point> trusted_time, const RevocationContext& ctx) {
  std::vector<X509*> raw;
  for (const auto& c : path) raw.push_back(c.get());
  return check_path(raw, trusted_time, ctx);
}

}  // namespace esign::verify
