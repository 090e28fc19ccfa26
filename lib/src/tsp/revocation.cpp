// OCSP and CRL: requests, fetching over HTTP, and the checks evidence must pass before it counts.
#include "tsp/revocation.h"

#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>

#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/pkcs7.h>

#include "common/time.h"
#include "crypto/openssl.h"
#include "esign/certificate.h"
#include "esign/error.h"
#include "http/http.h"

namespace esign::tsp {

namespace {

using OcspResponse = std::unique_ptr<OCSP_RESPONSE, ossl::Deleter<OCSP_RESPONSE_free>>;
using OcspBasic = std::unique_ptr<OCSP_BASICRESP, ossl::Deleter<OCSP_BASICRESP_free>>;
using OcspRequest = std::unique_ptr<OCSP_REQUEST, ossl::Deleter<OCSP_REQUEST_free>>;
using OcspCertId = std::unique_ptr<OCSP_CERTID, ossl::Deleter<OCSP_CERTID_free>>;
using Crl = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL_free>>;

constexpr std::size_t kMaxEvidence = 16u << 20;  // an OCSP response or CRL larger than this is refused
constexpr auto kClockSkew = std::chrono::minutes(5);

StatusCheck unknown(std::string why) {
  StatusCheck s;
  s.detail = std::move(why);
  ossl::clear_errors();
  return s;
}

bool has_ocsp_signing(X509* cert) {
  return (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(cert) & XKU_OCSP_SIGN) != 0;
}

bool valid_at(X509* cert, std::chrono::system_clock::time_point t) {
  return t >= ossl::to_time_point(X509_get0_notBefore(cert)) && t <= ossl::to_time_point(X509_get0_notAfter(cert));
}

// RFC 6960 §4.2.2.2: the issuer signs its own responses, or certifies a responder for it.
std::string responder_problem(X509* responder, X509* issuer, std::chrono::system_clock::time_point produced) {
  if (X509_cmp(responder, issuer) == 0) return "";
  if (X509_check_issued(issuer, responder) != X509_V_OK) return "the OCSP responder is not certified by the certificate's issuer";
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  if (issuer_key == nullptr || X509_verify(responder, issuer_key) != 1) return "the OCSP responder's certificate does not verify with the issuer's key";
  if (!has_ocsp_signing(responder)) return "the OCSP responder's certificate lacks the OCSPSigning extended key usage";
  if (!valid_at(responder, produced)) return "the OCSP responder's certificate was not valid when the response was produced";
  return "";
}

std::optional<std::chrono::system_clock::time_point> optional_time(const ASN1_GENERALIZEDTIME* t) {
  if (t == nullptr) return std::nullopt;
  return ossl::to_time_point(t);
}

std::vector<std::string> http_uris(GENERAL_NAMES* names) {
  std::vector<std::string> out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = n->d.uniformResourceIdentifier;
    std::string uri(reinterpret_cast<const char*>(s->data), static_cast<std::size_t>(s->length));
    if (uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) out.push_back(std::move(uri));
  }
  return out;
}

bool current(const StatusCheck& s, std::chrono::system_clock::time_point now) {
  return s.this_update <= now + kClockSkew && (!s.next_update || *s.next_update >= now - kClockSkew);
}

}  // namespace

StatusCheck check_ocsp(ByteView response, X509* cert, X509* issuer, ByteView nonce) {
  if (response.empty() || response.size() > kMaxEvidence) return unknown("the OCSP response is empty or too large");
  const unsigned char* p = response.data();
  OcspResponse resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response.size())));
  if (!resp || p != response.data() + response.size()) return unknown("not a DER OCSP response");
  int rs = OCSP_response_status(resp.get());
  if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return unknown(std::string("the OCSP responder answered ") + OCSP_response_status_str(rs));
  OcspBasic basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return unknown("the OCSP response is not a basic response");
  if (!nonce.empty()) {
    // The nonce the request carried, compared by hand: OCSP_check_nonce needs the request object.
    int idx = OCSP_BASICRESP_get_ext_by_NID(basic.get(), NID_id_pkix_OCSP_Nonce, -1);
    if (idx >= 0) {
      X509_EXTENSION* ext = OCSP_BASICRESP_get_ext(basic.get(), idx);
      const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(ext);
      // The extension value is an OCTET STRING wrapping the nonce OCTET STRING.
      const unsigned char* q = v->data;
      std::unique_ptr<ASN1_OCTET_STRING, ossl::Deleter<ASN1_OCTET_STRING_free>> inner(
          d2i_ASN1_OCTET_STRING(nullptr, &q, v->length));
      bool same = inner && static_cast<std::size_t>(inner->length) == nonce.size() &&
                  std::equal(nonce.begin(), nonce.end(), inner->data);
      if (!same) return unknown("the OCSP response does not echo the request's nonce");
    }
  }
  X509* responder = nullptr;
  ossl::X509View extra(sk_X509_new_null());
  sk_X509_push(extra.get(), issuer);
  if (OCSP_resp_get0_signer(basic.get(), &responder, extra.get()) != 1 || responder == nullptr)
    return unknown("the OCSP response does not include its responder's certificate");
  // With OCSP_NOVERIFY this checks only the signature with the responder's key: who may respond
  // is decided below, independent of the current time (long-term validation).
  ossl::Store no_store(X509_STORE_new());
  if (OCSP_basic_verify(basic.get(), extra.get(), no_store.get(), OCSP_NOVERIFY) != 1)
    return unknown("the OCSP response's signature does not verify");
  const ASN1_GENERALIZEDTIME* produced_at = OCSP_resp_get0_produced_at(basic.get());
  if (produced_at == nullptr) return unknown("the OCSP response has no producedAt");
  if (std::string why = responder_problem(responder, issuer, ossl::to_time_point(produced_at)); !why.empty())
    return unknown(why);

  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256()}) {
    OcspCertId id(OCSP_cert_to_id(md, cert, issuer));
    int status = 0, reason = 0;
    ASN1_GENERALIZEDTIME *revoked = nullptr, *this_update = nullptr, *next_update = nullptr;
    if (!id || OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked, &this_update, &next_update) != 1)
      continue;
    StatusCheck s;
    if (this_update == nullptr) return unknown("the OCSP response has no thisUpdate");
    s.this_update = ossl::to_time_point(this_update);
    s.next_update = optional_time(next_update);
    if (status == V_OCSP_CERTSTATUS_GOOD) {
      s.status = CertStatus::good;
    } else if (status == V_OCSP_CERTSTATUS_REVOKED) {
      s.status = CertStatus::revoked;
      if (revoked) s.revoked_at = ossl::to_time_point(revoked);
      s.detail = reason >= 0 ? OCSP_crl_reason_str(reason) : "no reason given";
      if (reason >= 0) s.reason = reason;
    } else {
      s.detail = "the OCSP responder does not know the certificate";
    }
    ossl::clear_errors();
    return s;
  }
  return unknown("the OCSP response is about other certificates");
}

namespace {
// Why a CRL's issuing distribution point (RFC 5280 §5.2.5) leaves `cert` out of its scope, or
// empty when the CRL speaks for it.
std::string crl_scope_problem(const ISSUING_DIST_POINT* idp, X509* cert) {
  if (idp->indirectCRL != 0 || idp->onlysomereasons != nullptr) return "indirect and partial CRLs are not supported";
  if (idp->onlyattr != 0) return "the CRL covers attribute certificates only";
  const bool ca = X509_check_ca(cert) != 0;
  if (idp->onlyCA != 0 && !ca) return "the CRL covers CA certificates only";
  if (idp->onlyuser != 0 && ca) return "the CRL covers end-entity certificates only";
  if (idp->distpoint == nullptr) return "";
  if (idp->distpoint->type != 0) return "the CRL's distribution point is a relative name, which is not supported";
  // The distribution point it names must be one the certificate names.
  auto* points = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  bool named = false;
  for (int i = 0; points && i < sk_DIST_POINT_num(points) && !named; ++i) {
    const DIST_POINT* dp = sk_DIST_POINT_value(points, i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;
    for (int a = 0; a < sk_GENERAL_NAME_num(dp->distpoint->name.fullname) && !named; ++a)
      for (int b = 0; b < sk_GENERAL_NAME_num(idp->distpoint->name.fullname) && !named; ++b)
        named = GENERAL_NAME_cmp(sk_GENERAL_NAME_value(dp->distpoint->name.fullname, a),
                                 sk_GENERAL_NAME_value(idp->distpoint->name.fullname, b)) == 0;
  }
  CRL_DIST_POINTS_free(points);
  return named ? "" : "the CRL is for a distribution point the certificate does not name";
}
}  // namespace

StatusCheck check_crl(ByteView der, X509* cert, X509* issuer) {
  if (der.empty() || der.size() > kMaxEvidence) return unknown("the CRL is empty or too large");
  const unsigned char* p = der.data();
  Crl crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size()) return unknown("not a DER CRL");
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer)) != 0)
    return unknown("the CRL was issued by another CA");
  if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0)
    return unknown("the CRL issuer's key usage does not allow signing CRLs");
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (key == nullptr || X509_CRL_verify(crl.get(), key) != 1) return unknown("the CRL's signature does not verify");
  if (X509_CRL_get_ext_by_NID(crl.get(), NID_delta_crl, -1) >= 0) return unknown("delta CRLs are not supported");
  if (auto* idp = static_cast<ISSUING_DIST_POINT*>(X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, nullptr, nullptr))) {
    const std::string out_of_scope = crl_scope_problem(idp, cert);
    ISSUING_DIST_POINT_free(idp);
    if (!out_of_scope.empty()) return unknown(out_of_scope);
  } else if (X509_CRL_get_ext_by_NID(crl.get(), NID_issuing_distribution_point, -1) >= 0) {
    return unknown("the CRL's issuing distribution point is malformed");
  }
  StatusCheck s;
  s.this_update = ossl::to_time_point(X509_CRL_get0_lastUpdate(crl.get()));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get())) s.next_update = ossl::to_time_point(next);
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_cert(crl.get(), &entry, cert) == 1 && entry != nullptr) {
    s.status = CertStatus::revoked;
    s.revoked_at = ossl::to_time_point(X509_REVOKED_get0_revocationDate(entry));
    int crit = 0;
    auto* reason = static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr));
    s.detail = reason ? OCSP_crl_reason_str(static_cast<int>(ASN1_ENUMERATED_get(reason))) : "no reason given";
    if (reason) s.reason = static_cast<int>(ASN1_ENUMERATED_get(reason));
    ASN1_ENUMERATED_free(reason);
  } else {
    s.status = CertStatus::good;
  }
  ossl::clear_errors();
  return s;
}

namespace {
// The http(s) URIs of one access method of the authority information access extension.
std::vector<std::string> access_urls(X509* cert, int method) {
  std::vector<std::string> out;
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); ++i) {
    ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
    if (OBJ_obj2nid(ad->method) != method || ad->location->type != GEN_URI) continue;
    GENERAL_NAMES* one = sk_GENERAL_NAME_new_null();
    sk_GENERAL_NAME_push(one, ad->location);
    for (std::string& u : http_uris(one)) out.push_back(std::move(u));
    sk_GENERAL_NAME_free(one);
  }
  AUTHORITY_INFO_ACCESS_free(aia);
  ossl::clear_errors();
  return out;
}
}  // namespace

std::vector<std::string> ocsp_urls(X509* cert) { return access_urls(cert, NID_ad_OCSP); }

std::vector<std::string> ca_issuer_urls(X509* cert) { return access_urls(cert, NID_ad_ca_issuers); }

std::vector<std::shared_ptr<X509>> fetch_ca_issuers(const std::string& url, std::chrono::milliseconds timeout) {
  constexpr std::size_t kMaxBody = 1u << 20;  // a certificate, or a certs-only bundle of a few
  constexpr int kMaxCertificates = 16;
  std::vector<std::shared_ptr<X509>> out;
  http::Request r;
  r.url = url;
  r.timeout = timeout;
  r.signed_payload = true;  // certificates carry their issuers' signatures: plain http is fine
  r.max_body = kMaxBody;
  http::Response resp;
  try {
    resp = http::send(r);
  } catch (const Error&) {
    return out;
  }
  if (resp.status != 200 || resp.body.empty()) return out;
  const auto* p = reinterpret_cast<const unsigned char*>(resp.body.data());
  const long len = static_cast<long>(resp.body.size());
  // RFC 5280 §4.2.2.1: a single DER certificate, or a DER "certs-only" CMS/PKCS#7 message.
  const unsigned char* q = p;
  if (X509* x = d2i_X509(nullptr, &q, len); x != nullptr && q == p + len) {
    out.emplace_back(x, X509_free);
  } else {
    X509_free(x);
    q = p;
    PKCS7* p7 = d2i_PKCS7(nullptr, &q, len);
    STACK_OF(X509)* certs = p7 && PKCS7_type_is_signed(p7) && p7->d.sign ? p7->d.sign->cert : nullptr;
    for (int i = 0; certs && i < sk_X509_num(certs) && i < kMaxCertificates; ++i) {
      X509* c = sk_X509_value(certs, i);
      X509_up_ref(c);
      out.emplace_back(c, X509_free);
    }
    PKCS7_free(p7);
  }
  ossl::clear_errors();
  return out;
}

std::vector<std::string> crl_urls(X509* cert) {
  std::vector<std::string> out;
  auto* points = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  for (int i = 0; points && i < sk_DIST_POINT_num(points); ++i) {
    DIST_POINT* dp = sk_DIST_POINT_value(points, i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;  // fullName only
    for (std::string& u : http_uris(dp->distpoint->name.fullname)) out.push_back(std::move(u));
  }
  CRL_DIST_POINTS_free(points);
  ossl::clear_errors();
  return out;
}

namespace {

// Sends `r` and checks what comes back with `check` (which may rewrite the body, e.g. PEM to
// DER); the evidence when it is usable and current, else nullopt with the reason in `tried`.
std::optional<Fetched> ask(http::Request r, bool is_ocsp, const std::function<StatusCheck(Bytes&)>& check,
                           std::vector<std::string>& tried) {
  const std::string where = http::redacted(r.url);
  r.signed_payload = true;
  r.max_body = kMaxEvidence;
  try {
    http::Response resp = http::send(r);
    if (resp.status != 200) {
      tried.push_back(where + ": HTTP " + std::to_string(resp.status));
      return std::nullopt;
    }
    Bytes body(resp.body.begin(), resp.body.end());
    StatusCheck s = check(body);
    if (s.status == CertStatus::good && !current(s, std::chrono::system_clock::now()))
      s = unknown(is_ocsp ? "the OCSP response is not current" : "the CRL is not current");
    if (s.status == CertStatus::unknown) {
      tried.push_back(where + ": " + s.detail);
      return std::nullopt;
    }
    return Fetched{s, std::move(body), is_ocsp, where};
  } catch (const Error& e) {
    tried.push_back(where + ": " + e.reason());
    return std::nullopt;
  }
}

// CRLs are published in DER (RFC 5280 §4.2.1.13); PEM is accepted and converted.
void pem_crl_to_der(Bytes& body) {
  static constexpr std::string_view kPem = "-----BEGIN X509 CRL-----";
  if (body.size() < kPem.size() || !std::equal(kPem.begin(), kPem.end(), body.begin())) return;
  ossl::Bio bio(BIO_new_mem_buf(body.data(), static_cast<int>(body.size())));
  Crl crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  unsigned char* der = nullptr;
  int len = crl ? i2d_X509_CRL(crl.get(), &der) : -1;
  body = len > 0 ? Bytes(der, der + len) : Bytes{};
  OPENSSL_free(der);
}

}  // namespace

Fetched fetch_status(X509* cert, X509* issuer, std::chrono::milliseconds timeout) {
  Fetched f;
  std::vector<std::string> tried;
  for (const std::string& url : ocsp_urls(cert)) {
    OcspRequest req(OCSP_REQUEST_new());
    OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
    if (!req || id == nullptr || OCSP_request_add0_id(req.get(), id) == nullptr) {
      OCSP_CERTID_free(id);
      continue;
    }
    Bytes nonce(16);
    RAND_bytes(nonce.data(), static_cast<int>(nonce.size()));
    OCSP_request_add1_nonce(req.get(), nonce.data(), static_cast<int>(nonce.size()));
    unsigned char* der = nullptr;
    int len = i2d_OCSP_REQUEST(req.get(), &der);
    if (len <= 0) continue;
    http::Request r;
    r.method = "POST";
    r.url = url;
    r.body.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    r.headers = {{"Content-Type", "application/ocsp-request"}, {"Accept", "application/ocsp-response"}};
    r.timeout = timeout;
    auto check = [&](Bytes& body) { return check_ocsp(body, cert, issuer, nonce); };
    if (std::optional<Fetched> got = ask(std::move(r), true, check, tried)) return std::move(*got);
  }
  for (const std::string& url : crl_urls(cert)) {
    http::Request r;
    r.url = url;
    r.timeout = timeout;
    auto check = [&](Bytes& body) {
      pem_crl_to_der(body);
      return check_crl(body, cert, issuer);
    };
    if (std::optional<Fetched> got = ask(std::move(r), false, check, tried)) return std::move(*got);
  }
  for (const std::string& t : tried) f.source += (f.source.empty() ? "" : "; ") + t;
  if (f.source.empty()) f.source = "the certificate names no OCSP responder and no CRL distribution point";
  f.check = unknown(f.source);
  return f;
}

bool has_status_evidence(const ValidationData& data, X509* cert, X509* issuer) {
  for (const Bytes& o : data.ocsps)
    if (check_ocsp(o, cert, issuer).status != CertStatus::unknown) return true;
  for (const Bytes& c : data.crls)
    if (check_crl(c, cert, issuer).status != CertStatus::unknown) return true;
  return false;
}

bool covers_path(const ValidationData& data, X509* leaf, const std::vector<X509*>& pool) {
  std::vector<Certificate> held;
  for (const Bytes& der : data.certs) {
    try {
      held.push_back(Certificate::from_der(der));
    } catch (const Error&) {
    }
  }
  std::vector<X509*> all = pool;
  for (const Certificate& c : held) all.push_back(c.native());
  std::vector<X509*> path = build_path(leaf, all);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (X509_check_issued(path[i], path[i]) == X509_V_OK) continue;
    if (i + 1 >= path.size() || !has_status_evidence(data, path[i], path[i + 1])) return false;
  }
  return true;
}

std::vector<X509*> build_path(X509* leaf, const std::vector<X509*>& pool) {
  std::vector<X509*> path{leaf};
  while (path.size() < 16) {
    X509* last = path.back();
    if (X509_check_issued(last, last) == X509_V_OK) break;  // self-issued: the top
    X509* issuer = nullptr;
    for (X509* c : pool)
      if (X509_cmp(c, last) != 0 && X509_check_issued(c, last) == X509_V_OK) {
        issuer = c;
        break;
      }
    if (issuer == nullptr || std::find(path.begin(), path.end(), issuer) != path.end()) break;
    path.push_back(issuer);
  }
  ossl::clear_errors();
  return path;
}

namespace {

// Evidence fetched for signing is reused for a few minutes (a bulk run signs thousands of files
// with one chain; its responders should see a handful of requests, not one per file).
class RecentEvidence {
 public:
  Fetched fetch(X509* cert, X509* issuer) {
    Bytes key = Certificate::from_x509(cert).der();
    Bytes issuer_der = Certificate::from_x509(issuer).der();
    key.insert(key.end(), issuer_der.begin(), issuer_der.end());
    const auto now = std::chrono::system_clock::now();
    {
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(key); it != entries_.end() && now - it->second.first < kReuse &&
                                        (!it->second.second.check.next_update || *it->second.second.check.next_update > now))
        return it->second.second;
    }
    Fetched f = fetch_status(cert, issuer);
    if (f.check.status != CertStatus::unknown) {
      std::lock_guard lock(mutex_);
      if (entries_.size() > kMaxEntries) entries_.clear();
      entries_[std::move(key)] = {now, f};
    }
    return f;
  }

 private:
  static constexpr auto kReuse = std::chrono::minutes(5);
  static constexpr std::size_t kMaxEntries = 1024;
  std::mutex mutex_;
  std::map<Bytes, std::pair<std::chrono::system_clock::time_point, Fetched>> entries_;
};

RecentEvidence& recent_evidence() {
  static RecentEvidence cache;
  return cache;
}

}  // namespace

Collected collect_validation_data(const std::vector<X509*>& leaves, const std::vector<X509*>& pool) {
  Collected out;
  std::vector<X509*> done;
  for (X509* leaf : leaves) {
    std::vector<X509*> path = build_path(leaf, pool);
    for (std::size_t i = 0; i < path.size(); ++i) {
      X509* cert = path[i];
      if (std::any_of(done.begin(), done.end(), [&](X509* d) { return X509_cmp(d, cert) == 0; })) continue;
      done.push_back(cert);
      Certificate c = Certificate::from_x509(cert);
      out.data.merge({{c.der()}, {}, {}});
      if (X509_check_issued(cert, cert) == X509_V_OK) continue;  // a trust anchor
      if (i + 1 >= path.size()) {
        out.problems.push_back(c.subject() + ": its issuer's certificate is not available, so its status cannot be asked");
        continue;
      }
      Fetched f = recent_evidence().fetch(cert, path[i + 1]);
      if (f.check.status == CertStatus::unknown) {
        out.problems.push_back(c.subject() + ": no revocation status (" + f.source + ")");
        continue;
      }
      if (f.check.status == CertStatus::revoked)
        out.revoked.push_back("the certificate " + c.subject() + " is revoked (" + f.check.detail + ", since " +
                              rfc3339(f.check.revoked_at) + ")");
      (f.is_ocsp ? out.data.ocsps : out.data.crls).push_back(std::move(f.evidence));
    }
  }
  return out;
}

Collected validation_data_for(const std::vector<Certificate>& chain, ByteView token, const std::vector<Certificate>& extra) {
  std::vector<X509*> leaves, pool;
  for (const Certificate& c : chain) pool.push_back(c.native());
  for (const Certificate& c : extra) pool.push_back(c.native());
  if (!chain.empty()) leaves.push_back(chain.front().native());
  TokenCertificates tsa;
  if (!token.empty()) {
    tsa = token_certificates(token);
    for (const auto& c : tsa.certs) pool.push_back(c.get());
    if (tsa.signer) leaves.push_back(tsa.signer);
  }
  Collected out = collect_validation_data(leaves, pool);
  if (!token.empty() && tsa.signer == nullptr) out.problems.push_back("the time-stamp token does not carry its TSA's certificate");
  return out;
}

TokenCertificates token_certificates(ByteView token) {
  TokenCertificates out;
  const unsigned char* p = token.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(token.size())));
  if (!cms) {
    ossl::clear_errors();
    return out;
  }
  ossl::X509Stack certs(CMS_get1_certs(cms.get()));
  while (certs && sk_X509_num(certs.get()) > 0) out.certs.emplace_back(sk_X509_shift(certs.get()), X509_free);
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(infos) == 1)
    for (const auto& c : out.certs)
      if (CMS_SignerInfo_cert_cmp(sk_CMS_SignerInfo_value(infos, 0), c.get()) == 0) out.signer = c.get();
  ossl::clear_errors();
  return out;
}

}  // namespace esign::tsp
