// Revocation checks of certificate paths for verify.
#include "verify/revocation_check.h"

#include <set>

#include "common/time.h"
#include "esign/certificate.h"

namespace esign::verify {

namespace {

using Clock = std::chrono::system_clock;

Bytes der_of(X509* c) { return Certificate::from_x509(c).der(); }

struct Evidence {
  tsp::StatusCheck check;
  std::string source;
  bool embedded = false;
  ValidationObject object;
};

ValidationObject object_for(const tsp::StatusCheck& s, bool is_ocsp, ByteView der) {
  std::string summary = "issued " + rfc3339(s.this_update);
  if (s.next_update) summary += ", next update " + rfc3339(*s.next_update);
  return validation_object(is_ocsp ? "OCSP response" : "CRL", der, summary);
}

// Whether a "good" answer proves the status at `at` (EN 319 102-1 §5.2.5.4.3: issued no
// earlier than the maximum accepted freshness before it).
bool fresh_for(const tsp::StatusCheck& s, Clock::time_point at, const std::optional<std::chrono::seconds>& max_age) {
  Clock::duration age = std::chrono::seconds(0);
  if (max_age) age = *max_age;
  else if (s.next_update && *s.next_update > s.this_update) age = *s.next_update - s.this_update;
  return s.this_update >= at - age;
}

// What the embedded evidence says about `cert` at `at`: a revocation found anywhere wins (it is
// final, however old the evidence); else a fresh good answer. `stale` tells whether good answers
// were found that are too old to prove anything at `at`.
std::optional<Evidence> from_embedded(X509* cert, X509* issuer, const der::ValidationData& data, Clock::time_point at,
                                      const std::optional<std::chrono::seconds>& max_age, bool& stale) {
  std::optional<Evidence> best;
  auto consider = [&](tsp::StatusCheck s, bool is_ocsp, const Bytes& der) {
    if (s.status == tsp::CertStatus::unknown) return;
    if (s.status == tsp::CertStatus::good && !fresh_for(s, at, max_age)) {
      stale = true;
      return;
    }
    if (!best || (s.status == tsp::CertStatus::revoked && best->check.status != tsp::CertStatus::revoked)) {
      ValidationObject object = object_for(s, is_ocsp, der);
      best = Evidence{std::move(s), is_ocsp ? "embedded OCSP response" : "embedded CRL", true, std::move(object)};
    }
  };
  for (const Bytes& o : data.ocsps) consider(tsp::check_ocsp(o, cert, issuer), true, o);
  for (const Bytes& c : data.crls) consider(tsp::check_crl(c, cert, issuer), false, c);
  return best;
}

// RFC 3161 §4: a TSA certificate revoked as unspecified, affiliationChanged, superseded or
// cessationOfOperation leaves the tokens made before the revocation valid; any other reason, or
// none, invalidates them all.
bool retired_without_compromise(const tsp::StatusCheck& s) {
  return s.reason && (*s.reason == 0 || *s.reason == 3 || *s.reason == 4 || *s.reason == 5);
}

}  // namespace

ValidationObject validation_object(const std::string& type, ByteView der, std::string summary) {
  return {type, to_hex(digest_of(DigestAlgorithm::sha256, der).value), std::move(summary)};
}

ValidationObject certificate_object(X509* cert) {
  const Certificate c = Certificate::from_x509(cert);
  return validation_object("certificate", c.der(), c.subject());
}

bool archives_evidence_of(const der::ValidationData& archived, std::span<const ValidationObject> used) {
  std::set<std::string> have;
  for (const auto* list : {&archived.ocsps, &archived.crls})
    for (const Bytes& der : *list) have.insert(to_hex(digest_of(DigestAlgorithm::sha256, der).value));
  bool any = false;
  for (const ValidationObject& o : used) {
    if (o.type != "OCSP response" && o.type != "CRL") continue;
    if (have.count(o.sha256) == 0) return false;
    any = true;
  }
  return any;
}

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

PathStatus check_path(const std::vector<X509*>& path, std::optional<Clock::time_point> proof_time,
                      const RevocationContext& ctx, PathRole role) {
  PathStatus out;
  out.ok = true;
  out.all_embedded = path.size() > 1;
  const Clock::time_point at = proof_time.value_or(Clock::now());
  std::vector<std::string> notes;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    X509* cert = path[i];
    X509* issuer = path[i + 1];
    const std::string name = Certificate::from_x509(cert).common_name();
    std::optional<Evidence> e;
    bool stale = false;
    if (ctx.embedded) e = from_embedded(cert, issuer, *ctx.embedded, at, ctx.max_age, stale);
    if (ctx.policy == RevocationPolicy::off) {
      out.all_embedded = out.all_embedded && e.has_value();
      continue;
    }
    if (!e) {
      out.all_embedded = false;
      const bool published = !tsp::ocsp_urls(cert).empty() || !tsp::crl_urls(cert).empty();
      if (!published && !stale) {
        notes.push_back(name + ": no status published");
        continue;
      }
      std::string unknown;
      if (!ctx.online) {
        unknown = stale ? "the embedded evidence is too old to prove it at " + rfc3339(at) + ", and an offline check may not ask a responder"
                        : "nothing embedded, and an offline check may not ask a responder";
      } else {
        tsp::Fetched f = ctx.cache ? ctx.cache->fetch(cert, issuer) : tsp::fetch_status(cert, issuer);
        if (f.check.status == tsp::CertStatus::unknown) unknown = f.source;
        else e = Evidence{f.check, "OCSP/CRL from " + f.source, false, object_for(f.check, f.is_ocsp, f.evidence)};
      }
      if (!unknown.empty()) {
        const std::string why = "the revocation status of " + name + " is unknown (" + unknown + ")";
        if (ctx.policy == RevocationPolicy::soft_fail) {
          notes.push_back(why + ": tolerated (revocation policy soft-fail)");
          continue;
        }
        out.ok = false;
        out.detail = why;
        out.failure = {Indication::indeterminate, sub::try_later};
        return out;
      }
    }
    out.used.push_back(e->object);
    if (e->check.status == tsp::CertStatus::revoked) {
      const std::string when = rfc3339(e->check.revoked_at);
      const bool tokens_suspect = role == PathRole::timestamp_authority && i == 0 && !retired_without_compromise(e->check);
      if (proof_time && e->check.revoked_at > *proof_time && !tokens_suspect) {
        notes.push_back(name + ": revoked at " + when + ", after the proof of existence (" + e->source + ")");
        continue;
      }
      out.ok = false;
      out.detail = "the certificate " + name + " is revoked (" + e->check.detail + ", since " + when + "; " + e->source + ")";
      out.failure = {Indication::total_failed, sub::revoked};
      return out;
    }
    notes.push_back(name + ": good (" + e->source + ")");
  }
  if (ctx.policy == RevocationPolicy::off) notes.push_back("not checked (revocation policy off)");
  for (const std::string& n : notes) out.detail += (out.detail.empty() ? "" : "; ") + n;
  return out;
}

PathStatus check_path(const std::vector<std::shared_ptr<X509>>& path, std::optional<Clock::time_point> proof_time,
                      const RevocationContext& ctx, PathRole role) {
  std::vector<X509*> raw;
  for (const auto& c : path) raw.push_back(c.get());
  return check_path(raw, proof_time, ctx, role);
}

}  // namespace esign::verify
