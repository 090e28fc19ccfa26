// Checks of one CMS SignedData: structure, attributes, digest, signature value, certificates.
#include "verify/cms_check.h"

#include <openssl/cms.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <limits>

#include "cms/archive_timestamp.h"
#include "der/der.h"
#include "cms/signed_data.h"
#include "crypto/openssl.h"
#include "esign/error.h"
#include "tsp/tsp.h"

namespace esign::verify {

namespace {

constexpr std::size_t kMaxCmsSize = 16u << 20;  // far beyond any real signature

std::optional<DigestAlgorithm> digest_from_nid(int nid) {
  switch (nid) {
    case NID_sha256: return DigestAlgorithm::sha256;
    case NID_sha384: return DigestAlgorithm::sha384;
    case NID_sha512: return DigestAlgorithm::sha512;
    default: return std::nullopt;
  }
}

// Collects checks into a report; `suffix` tells the SignerInfos of one CMS apart ("#2").
class Checks {
 public:
  explicit Checks(SignatureReport& r, std::string suffix = "") : r_(r), suffix_(std::move(suffix)) {}
  bool add(const std::string& name, bool ok, const std::string& detail = "", Failure failure = kFormat) {
    return add_check(r_, name + suffix_, ok, detail, failure);
  }

 private:
  SignatureReport& r_;
  std::string suffix_;
};

// The single value of a signed attribute that must occur once with one value (RFC 5652 §11),
// nullptr when absent; `duplicated` tells whether it occurred more than once.
const ASN1_TYPE* single_attribute(CMS_SignerInfo* si, int nid, bool& present, bool& duplicated) {
  int idx = CMS_signed_get_attr_by_NID(si, nid, -1);
  present = idx >= 0;
  duplicated = false;
  if (!present) return nullptr;
  if (CMS_signed_get_attr_by_NID(si, nid, idx) >= 0) duplicated = true;
  X509_ATTRIBUTE* attr = CMS_signed_get_attr(si, idx);
  if (X509_ATTRIBUTE_count(attr) != 1) duplicated = true;
  return X509_ATTRIBUTE_get0_type(attr, 0);
}

Bytes der_of(const ASN1_INTEGER* serial) {
  unsigned char* buf = nullptr;
  int len = i2d_ASN1_INTEGER(serial, &buf);
  Bytes out;
  if (len > 0) out.assign(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// RFC 5035 §5.4 (v2) and RFC 2634 §5.4 (v1): the first ESSCertID must identify the signer.
std::string check_ess(ByteView value, bool v2, X509* signer, const Bytes& signer_der) {
  der::Element outer, certs, first;
  ByteView in = value;
  if (!der::read(in, outer) || outer.tag != der::tag::sequence) return "malformed attribute";
  ByteView body = outer.content;
  if (!der::read(body, certs) || certs.tag != der::tag::sequence) return "malformed certificate list";
  ByteView list = certs.content;
  if (!der::read(list, first) || first.tag != der::tag::sequence) return "empty certificate list";
  ByteView id = first.content;
  const EVP_MD* md = v2 ? EVP_sha256() : EVP_sha1();
  der::Element e;
  if (!der::read(id, e)) return "malformed ESSCertID";
  if (v2 && e.tag == der::tag::sequence) {
    ByteView alg = e.content;
    der::Element oid;
    if (!der::read(alg, oid) || oid.tag != der::tag::oid) return "malformed hash algorithm";
    std::string dotted = der::oid_string(oid.content);
    ASN1_OBJECT* obj = OBJ_txt2obj(dotted.c_str(), 1);
    md = obj ? EVP_get_digestbyobj(obj) : nullptr;
    ASN1_OBJECT_free(obj);
    if (md == nullptr || EVP_MD_get_size(md) < 32) return "unsupported certificate hash algorithm " + dotted;
    if (!der::read(id, e)) return "malformed ESSCertID";
  }
  if (e.tag != der::tag::octet_string) return "malformed certificate hash";
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int hash_len = 0;
  if (EVP_Digest(signer_der.data(), signer_der.size(), hash, &hash_len, md, nullptr) != 1) return "cannot hash certificate";
  if (e.content.size() != hash_len || !std::equal(e.content.begin(), e.content.end(), hash))
    return "the certificate hash does not match the signer certificate";
  der::Element issuer_serial;
  if (der::read(id, issuer_serial)) {
    ByteView is = issuer_serial.content;
    der::Element names, serial;
    if (issuer_serial.tag != der::tag::sequence || !der::read(is, names) || !der::read(is, serial))
      return "malformed issuerSerial";
    Bytes expected = der_of(X509_get0_serialNumber(signer));
    if (!std::equal(serial.whole.begin(), serial.whole.end(), expected.begin(), expected.end()))
      return "issuerSerial names another certificate";
  }
  return "";
}

// The ContentInfo re-encoded without its certificates field, which it hands to the cache instead
// (the signature does not cover the certificates). nullopt when the input is not plain DER of
// the expected shape; the caller then lets OpenSSL parse everything.
std::optional<Bytes> strip_certificates(ByteView der, CertificateCache& cache, std::vector<std::shared_ptr<X509>>& certs) {
  der::Element content_info, type, explicit0, signed_data;
  ByteView in = der;
  if (!der::read(in, content_info) || content_info.tag != der::tag::sequence) return std::nullopt;
  ByteView ci = content_info.content;
  if (!der::read(ci, type) || type.tag != der::tag::oid || !der::read(ci, explicit0) || explicit0.tag != der::tag::context(0))
    return std::nullopt;
  ByteView e0 = explicit0.content;
  if (!der::read(e0, signed_data) || signed_data.tag != der::tag::sequence || !e0.empty()) return std::nullopt;
  Bytes kept;
  bool found = false;
  ByteView sd = signed_data.content;
  while (!sd.empty()) {
    der::Element field;
    if (!der::read(sd, field)) return std::nullopt;
    if (field.tag == der::tag::context(0) && !found) {
      found = true;
      ByteView list = field.content;
      while (!list.empty()) {
        der::Element cert;
        if (!der::read(list, cert)) return std::nullopt;
        if (cert.tag != der::tag::sequence) continue;  // other CertificateChoices are not used
        std::shared_ptr<X509> x = cache.parse(cert.whole);
        if (!x) return std::nullopt;
        certs.push_back(std::move(x));
      }
      continue;
    }
    kept.insert(kept.end(), field.whole.begin(), field.whole.end());
  }
  if (!found) return std::nullopt;
  Bytes body = der::concat({type.whole, der::tlv(der::tag::context(0), der::tlv(der::tag::sequence, kept))});
  return der::tlv(der::tag::sequence, body);
}

// What a path validation error leads to (EN 319 102-1 §5.2.6). `proven` tells whether the
// validation time comes from a time-stamp: a signature proven to exist before its certificate
// was issued is a failure, one merely checked now is not.
Failure chain_failure_for(int err, bool proven) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return {Indication::indeterminate, sub::out_of_bounds_no_poe};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {proven ? Indication::total_failed : Indication::indeterminate, sub::not_yet_valid};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return {Indication::indeterminate, sub::no_certificate_chain_found};
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
    case X509_V_ERR_INVALID_EXTENSION:
    case X509_V_ERR_INVALID_POLICY_EXTENSION:
    case X509_V_ERR_NO_EXPLICIT_POLICY:
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
      return {Indication::indeterminate, sub::chain_constraints_failure};
    default:
      return {Indication::indeterminate, sub::certificate_chain_general_failure};
  }
}

// What a time-stamp token that does not verify leads to: an altered imprint or signature is a
// forgery; a TSA path that cannot be validated (at the token's own time) is judged like a
// signer's; anything else is a format failure.
Failure timestamp_failure(const tsp::TokenCheck& tc) {
  switch (tc.flaw) {
    case tsp::TokenCheck::Flaw::imprint: return {Indication::total_failed, sub::hash_failure};
    case tsp::TokenCheck::Flaw::signature: return {Indication::total_failed, sub::sig_crypto_failure};
    case tsp::TokenCheck::Flaw::path:
      return tc.path_error == 0 ? Failure{Indication::indeterminate, sub::no_certificate_chain_found}
                                : chain_failure_for(tc.path_error, true);
    default: return kFormat;
  }
}

}  // namespace

std::string path_key_weakness(const std::vector<std::shared_ptr<X509>>& path, const KeyPolicy& policy,
                              const std::string& whose) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (std::string w = ossl::key_weakness(path[i].get(), policy); !w.empty())
      return (i == 0 ? "the " + whose + " certificate"
                     : "certificate " + Certificate::from_x509(path[i].get()).subject() + " of the " + whose + "'s path") +
             " has " + w;
  }
  return "";
}

void report_timestamp(const tsp::TokenCheck& tc, const std::string& check, const CmsContext& ctx, SignatureReport& r) {
  r.signer = tc.tsa;
  r.signer_fingerprint = tc.tsa_fingerprint;
  Checks checks(r);
  // A token that does not verify (imprint, signature, TSA path) proves nothing: its imprint or
  // signature failing is a forgery; its TSA path is judged like a signer's.
  checks.add(check, tc.ok, tc.ok ? "by " + tc.tsa : tc.error, timestamp_failure(tc));
  if (tc.ok) {
    r.timestamp_time = rfc3339(tc.time);
    r.validation_time = r.timestamp_time;
    r.validation_time_source = "time-stamp";
    for (const auto& c : tc.path) r.used.push_back(certificate_object(c.get()));
    const std::string weak = path_key_weakness(tc.path, ctx.keys, "TSA");
    checks.add("key_strength", weak.empty(), weak, {Indication::indeterminate, sub::crypto_constraints_failure_no_poe});
    const PathStatus status = check_path(tc.path, tc.time, ctx.revocation, PathRole::timestamp_authority);
    checks.add("timestamp_revocation", status.ok, status.detail, status.failure);
    r.used.insert(r.used.end(), status.used.begin(), status.used.end());
  }
  conclude(r);
}

std::vector<std::shared_ptr<X509>> IssuerCache::issuers_of(X509* cert) {
  std::vector<std::shared_ptr<X509>> out;
  std::vector<std::string> urls = tsp::ca_issuer_urls(cert);
  if (urls.size() > kMaxUrlsPerCertificate) urls.resize(kMaxUrlsPerCertificate);
  for (const std::string& url : urls) {
    {
      // Claim the address (an empty entry) before asking, so that the budget holds across threads.
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(url); it != entries_.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        continue;
      }
      if (entries_.size() >= kMaxFetches) continue;
      entries_.emplace(url, std::vector<std::shared_ptr<X509>>{});
    }
    std::vector<std::shared_ptr<X509>> found = tsp::fetch_ca_issuers(url, kTimeout);
    out.insert(out.end(), found.begin(), found.end());
    std::lock_guard lock(mutex_);
    entries_[url] = std::move(found);
  }
  return out;
}

std::shared_ptr<X509> CertificateCache::parse(ByteView der) {
  Bytes key(der.begin(), der.end());
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr || p != der.data() + der.size()) {
    X509_free(x);
    ossl::clear_errors();
    return nullptr;
  }
  std::shared_ptr<X509> shared(x, X509_free);
  std::lock_guard lock(mutex_);
  if (entries_.size() < kMaxEntries) entries_.emplace(std::move(key), shared);
  return shared;
}

std::optional<ChainCache::Validated> ChainCache::path_at(const Bytes& key, std::time_t t) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || t < it->second.not_before || t > it->second.not_after) return std::nullopt;
  return it->second.validated;
}

void ChainCache::remember(Bytes key, std::time_t not_before, std::time_t not_after, Validated validated) {
  std::lock_guard lock(mutex_);
  if (entries_.size() < kMaxEntries) entries_[std::move(key)] = {not_before, not_after, std::move(validated)};
}

namespace {

constexpr std::size_t kMaxRevocationEntries = 1000;

// The revocation values of a SignedData's crls field (RFC 5652 §10.2.1): CRLs, and OCSP
// responses as OtherRevocationInfoFormat id-ri-ocsp-response (RFC 5940). Malformed parts are
// skipped: they only ever fail to prove a status.
der::ValidationData embedded_revocation(ByteView der) {
  der::ValidationData out;
  der::Element content_info, type, explicit0, signed_data;
  ByteView in = der;
  if (!der::read(in, content_info) || content_info.tag != der::tag::sequence) return out;
  ByteView ci = content_info.content;
  if (!der::read(ci, type) || !der::read(ci, explicit0) || explicit0.tag != der::tag::context(0)) return out;
  ByteView e0 = explicit0.content;
  if (!der::read(e0, signed_data) || signed_data.tag != der::tag::sequence) return out;
  ByteView sd = signed_data.content;
  const Bytes ocsp_oid = der::oid(oid::ri_ocsp_response);
  while (!sd.empty()) {
    der::Element field;
    if (!der::read(sd, field)) return out;
    if (field.tag != der::tag::context(1)) continue;
    ByteView list = field.content;
    while (!list.empty() && out.crls.size() + out.ocsps.size() < kMaxRevocationEntries) {
      der::Element item;
      if (!der::read(list, item)) return out;
      if (item.tag == der::tag::sequence) {
        out.crls.emplace_back(item.whole.begin(), item.whole.end());
      } else if (item.tag == der::tag::context(1)) {
        ByteView other = item.content;
        der::Element format, value;
        if (der::read(other, format) && std::equal(format.whole.begin(), format.whole.end(), ocsp_oid.begin(), ocsp_oid.end()) &&
            der::read(other, value))
          out.ocsps.emplace_back(value.whole.begin(), value.whole.end());
      }
    }
    break;
  }
  return out;
}

}  // namespace


// The checks of one SignerInfo; `digests` holds the content's digest for each algorithm the
// signature names (empty when there is no content to compare with). Returns whether the
// revocation status of every certificate involved came from embedded evidence (B-LT).
bool check_signer(CMS_ContentInfo* cms, CMS_SignerInfo* si, STACK_OF(X509)* certs,
                  const std::vector<std::shared_ptr<X509>>& held, const std::map<DigestAlgorithm, Digest>& digests,
                  const CmsContext& ctx, Checks& checks, SignatureReport& report, bool first) {
  X509_ALGOR* digest_alg = nullptr;
  X509_ALGOR* sig_alg = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &digest_alg, &sig_alg);
  std::optional<DigestAlgorithm> algorithm = digest_from_nid(OBJ_obj2nid(digest_alg->algorithm));
  const int digest_nid = OBJ_obj2nid(digest_alg->algorithm);
  const bool weak_digest = digest_nid == NID_sha1 || digest_nid == NID_md5;
  if (!checks.add("digest_algorithm", algorithm.has_value(),
                  algorithm     ? to_string(*algorithm)
                  : weak_digest ? std::string(OBJ_nid2sn(digest_nid)) + " is too weak for signatures (ETSI TS 119 312)"
                                : "unsupported digest algorithm",
                  weak_digest ? Failure{Indication::indeterminate, sub::crypto_constraints_failure_no_poe} : kFormat))
    return false;
  // A signature algorithm that names its own digest (sha1WithRSAEncryption, ecdsa-with-SHA1...)
  // must name the same one: what is checked is what was declared.
  int sig_digest_nid = NID_undef, key_nid = NID_undef;
  if (OBJ_find_sigid_algs(OBJ_obj2nid(sig_alg->algorithm), &sig_digest_nid, &key_nid) && sig_digest_nid != NID_undef &&
      !checks.add("signature_algorithm", sig_digest_nid == digest_nid,
                  sig_digest_nid == digest_nid ? "" : "the signature algorithm's digest differs from the digest algorithm"))
    return false;

  // The certificate the SignerInfo names; two different ones that match (the certificates field
  // is not signed, so its order is anyone's) leave the signer ambiguous.
  X509* signer = nullptr;
  bool ambiguous = false;
  for (int i = 0; certs && i < sk_X509_num(certs); ++i) {
    X509* candidate = sk_X509_value(certs, i);
    if (CMS_SignerInfo_cert_cmp(si, candidate) != 0) continue;
    if (signer == nullptr) signer = candidate;
    else if (X509_cmp(signer, candidate) != 0) ambiguous = true;
  }
  if (!checks.add("signer_certificate", signer != nullptr && !ambiguous,
                  signer == nullptr ? "the signer's certificate is not in the signature"
                  : ambiguous       ? "several different certificates in the signature match the signer's identifier"
                                    : "",
                  {Indication::indeterminate, sub::no_signing_certificate_found}))
    return false;
  CMS_SignerInfo_set1_signer_cert(si, signer);
  Certificate signer_cert = Certificate::from_x509(signer);
  const Bytes& signer_der = signer_cert.der();
  if (first) {
    report.signer = signer_cert.subject();
    report.signer_fingerprint = signer_cert.sha256_fingerprint();
  } else if (!checks.add("signer_certificate", signer_cert.sha256_fingerprint() == report.signer_fingerprint,
                         signer_cert.sha256_fingerprint() == report.signer_fingerprint
                             ? ""
                             : "a further SignerInfo names another signer (" + signer_cert.subject() +
                                   "), whom the report would not show")) {
    return false;
  }

  const bool has_attributes = CMS_signed_get_attr_count(si) > 0;
  if (!checks.add("signed_attributes", has_attributes, has_attributes ? "" : "the signature has no signed attributes"))
    return false;

  // RFC 5652 §11.1: content-type must be present with signed attributes and match eContentType.
  bool present = false, duplicated = false;
  const ASN1_TYPE* ctype = single_attribute(si, NID_pkcs9_contentType, present, duplicated);
  bool ctype_ok = present && !duplicated && ctype->type == V_ASN1_OBJECT && OBJ_obj2nid(ctype->value.object) == NID_pkcs7_data;
  checks.add("content_type", ctype_ok, !present ? "content-type attribute missing" : duplicated ? "content-type attribute repeated" : ctype_ok ? "" : "content-type is not id-data");

  // message-digest against the content.
  const ASN1_TYPE* md = single_attribute(si, NID_pkcs9_messageDigest, present, duplicated);
  (void)cms;
  std::optional<Digest> content;
  if (auto it = digests.find(*algorithm); it != digests.end()) content = it->second;
  if (!present || duplicated || md->type != V_ASN1_OCTET_STRING) {
    checks.add("message_digest", false, !present ? "message-digest attribute missing" : "message-digest attribute malformed or repeated");
  } else if (!content) {
    checks.add("message_digest", false, "no signed content to compare with", {Indication::indeterminate, sub::signed_data_not_found});
  } else {
    const ASN1_OCTET_STRING* v = md->value.octet_string;
    bool same = static_cast<std::size_t>(v->length) == content->value.size() &&
                std::equal(content->value.begin(), content->value.end(), v->data);
    checks.add("message_digest", same, same ? "" : "the signed content was changed (digest mismatch)",
               {Indication::total_failed, sub::hash_failure});
  }

  // The signature value over the DER signed attributes, with the signer's key.
  int sig_ok = CMS_SignerInfo_verify(si);
  checks.add("signature_value", sig_ok == 1, sig_ok == 1 ? "" : "the signature value does not verify (" + ossl::drain_errors() + ")",
             {Indication::total_failed, sub::sig_crypto_failure});

  // B-T: a signature time-stamp over the signature value gives the trusted time (EN 319 102-1
  // §5.6.2.2: the validation uses it instead of the time the signer claims).
  std::optional<std::chrono::system_clock::time_point> timestamped;
  ChainCache::Path tsa_path;
  if (int idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1); idx >= 0) {
    X509_ATTRIBUTE* attr = CMS_unsigned_get_attr(si, idx);
    const ASN1_TYPE* t = X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
    if (t == nullptr || t->type != V_ASN1_SEQUENCE || CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, idx) >= 0) {
      checks.add("signature_timestamp", false, "the signature-time-stamp attribute is malformed or repeated");
    } else {
      const ASN1_OCTET_STRING* value = CMS_SignerInfo_get0_signature(si);
      tsp::TokenCheck tc = tsp::check(ByteView(t->value.sequence->data, static_cast<std::size_t>(t->value.sequence->length)),
                                      ByteView(value->data, static_cast<std::size_t>(value->length)), ctx.trust);
      checks.add("signature_timestamp", tc.ok, tc.ok ? "at " + rfc3339(tc.time) + " by " + tc.tsa : tc.error,
                 timestamp_failure(tc));
      if (tc.ok) {
        timestamped = tc.time;
        tsa_path = std::move(tc.path);
        if (first) report.used.push_back(validation_object("time-stamp", ByteView(t->value.sequence->data,
                                                                                  static_cast<std::size_t>(t->value.sequence->length)),
                                                           "signature time-stamp at " + rfc3339(tc.time) + " by " + tc.tsa));
      }
    }
  }
  if (timestamped && first) report.timestamp_time = rfc3339(*timestamped);

  // ESS signing-certificate(-v2): binds the signer certificate (CAdES, PAdES require one).
  bool v2_present = false, v1_present = false, dup2 = false, dup1 = false;
  const ASN1_TYPE* ess2 = single_attribute(si, NID_id_smime_aa_signingCertificateV2, v2_present, dup2);
  const ASN1_TYPE* ess1 = single_attribute(si, NID_id_smime_aa_signingCertificate, v1_present, dup1);
  if (v2_present || v1_present) {
    const ASN1_TYPE* t = v2_present ? ess2 : ess1;
    std::string problem = (dup1 || dup2) ? "signing-certificate attribute repeated"
                          : t->type != V_ASN1_SEQUENCE ? "signing-certificate attribute malformed"
                          : check_ess(ByteView(t->value.sequence->data, static_cast<std::size_t>(t->value.sequence->length)),
                                      v2_present, signer, signer_der);
    checks.add("signing_certificate", problem.empty(), problem, {Indication::indeterminate, sub::no_signing_certificate_found});
  } else if (ctx.pades) {
    checks.add("signing_certificate", false, "ETSI.CAdES.detached requires the signing-certificate-v2 attribute");
  }

  // Signing time: /M for PAdES (the signing-time attribute must not be there), the attribute for CMS.
  const ASN1_TYPE* st = single_attribute(si, NID_pkcs9_signingTime, present, duplicated);
  std::optional<std::chrono::system_clock::time_point> when = ctx.claimed_time;
  if (ctx.pades) {
    checks.add("no_signing_time_attribute", !present, present ? "PAdES signatures must not carry signing-time (EN 319 142-1 §5.2.3)" : "");
  } else if (present) {
    bool ok = !duplicated && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME);
    if (ok) when = ossl::to_time_point(reinterpret_cast<const ASN1_TIME*>(st->value.asn1_string));
    checks.add("signing_time", ok, ok ? "" : "signing-time attribute malformed");
  }
  // The validation time (EN 319 102-1 §5.6.2.2, best-signature-time): the earliest proof that
  // the signature existed, a time-stamp; without one, now. What the signer claims (/M,
  // signing-time) is shown, never trusted.
  std::optional<std::chrono::system_clock::time_point> proof = timestamped;
  const char* proof_source = "signature time-stamp";
  if (ctx.document_timestamp && (!proof || *ctx.document_timestamp < *proof)) {
    proof = ctx.document_timestamp;
    proof_source = "document time-stamp";
  }
  const auto validation_time = proof.value_or(std::chrono::system_clock::now());
  if (first) {
    report.validation_time = rfc3339(validation_time);
    report.validation_time_source = proof ? proof_source : "current time";
  }
  // The claimed time cannot be after the trusted one (a forged /M or signing-time).
  if (timestamped && when && *when > *timestamped + std::chrono::minutes(10))
    checks.add("signing_time_order", false, "the claimed signing time is later than the signature time-stamp",
               {Indication::indeterminate, sub::timestamp_order_failure});
  if (when && first) report.signing_time = rfc3339(*when);

  // The certificate path to a trust anchor, as of the validation time, completed from the CMS's
  // certificates, the container's (DSS /Certs), --certs, and AIA caIssuers unless offline.
  const std::time_t at = std::chrono::system_clock::to_time_t(validation_time);
  Bytes chain_key = signer_der;
  for (const auto& c : held) {
    Certificate copy = Certificate::from_x509(c.get());
    chain_key.insert(chain_key.end(), copy.der().begin(), copy.der().end());
  }
  ossl::X509View pool(sk_X509_dup(certs));
  std::vector<std::shared_ptr<X509>> extra;  // keeps what `pool` borrows alive
  if (ctx.revocation.embedded && ctx.certificates) {
    for (const Bytes& der : ctx.revocation.embedded->certs) {
      if (extra.size() >= 256) break;
      if (std::shared_ptr<X509> x = ctx.certificates->parse(der)) {
        extra.push_back(x);
        chain_key.insert(chain_key.end(), der.begin(), der.end());
      }
    }
  }
  if (ctx.intermediates) extra.insert(extra.end(), ctx.intermediates->begin(), ctx.intermediates->end());
  for (const auto& x : extra) sk_X509_push(pool.get(), x.get());
  std::optional<ChainCache::Validated> validated;
  if (ctx.chains) validated = ctx.chains->path_at(chain_key, at);
  bool chain_ok = validated.has_value();
  std::string chain_detail;
  Failure chain_failure{Indication::indeterminate, sub::certificate_chain_general_failure};
  ossl::StoreCtx store_ctx(chain_ok ? nullptr : X509_STORE_CTX_new());
  bool initialised = false;
  for (int fetches = 0; !chain_ok && store_ctx && fetches <= 4; ++fetches) {
    X509_STORE_CTX_cleanup(store_ctx.get());
    if (X509_STORE_CTX_init(store_ctx.get(), ctx.trust, signer, pool.get()) != 1) break;
    initialised = true;
    X509_STORE_CTX_set_time(store_ctx.get(), 0, at);
    chain_ok = X509_verify_cert(store_ctx.get()) == 1;
    const int err = X509_STORE_CTX_get_error(store_ctx.get());
    if (chain_ok || !ctx.issuers ||
        (err != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY && err != X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT))
      break;
    // An issuer is missing: ask where the last certificate of the partial path says it is published.
    std::size_t added = 0;
    for (std::shared_ptr<X509>& issuer : ctx.issuers->issuers_of(X509_STORE_CTX_get_current_cert(store_ctx.get()))) {
      bool known = false;
      for (int i = 0; i < sk_X509_num(pool.get()) && !known; ++i) known = X509_cmp(sk_X509_value(pool.get(), i), issuer.get()) == 0;
      if (known || extra.size() >= 512) continue;
      sk_X509_push(pool.get(), issuer.get());
      extra.push_back(std::move(issuer));
      ++added;
    }
    if (added == 0) break;
  }
  if (chain_ok) {
    if (!store_ctx) chain_detail = "path validated earlier in this run";
  } else if (!initialised) {
    chain_detail = "cannot set up path validation";
  } else {
    const int err = X509_STORE_CTX_get_error(store_ctx.get());
    chain_detail = X509_verify_cert_error_string(err);
    chain_failure = chain_failure_for(err, proof.has_value());
    if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
      X509* c = X509_STORE_CTX_get_current_cert(store_ctx.get());
      if (c != nullptr)
        chain_detail = "certificate " + Certificate::from_x509(c).subject() + " is valid " +
                       rfc3339(ossl::to_time_point(X509_get0_notBefore(c))) + " to " +
                       rfc3339(ossl::to_time_point(X509_get0_notAfter(c))) + ", not at the validation time " +
                       rfc3339(validation_time) + " (" + (proof ? proof_source : "current time: no time-stamp proves an earlier one") + ")";
    }
  }
  if (store_ctx && chain_ok) {
    std::time_t lo = 0, hi = std::numeric_limits<std::time_t>::max();
    STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(store_ctx.get());
    validated.emplace();
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* c = sk_X509_value(chain, i);
      X509_up_ref(c);
      validated->path.emplace_back(c, X509_free);
      validated->certificates.push_back(certificate_object(c));
      lo = std::max(lo, std::chrono::system_clock::to_time_t(ossl::to_time_point(X509_get0_notBefore(c))));
      hi = std::min(hi, std::chrono::system_clock::to_time_t(ossl::to_time_point(X509_get0_notAfter(c))));
    }
    if (ctx.chains) ctx.chains->remember(std::move(chain_key), lo, hi, *validated);
  }
  ossl::clear_errors();
  checks.add("chain", chain_ok, chain_detail, chain_failure);
  const ChainCache::Path* path = chain_ok ? &validated->path : nullptr;
  if (chain_ok && first) report.used.insert(report.used.end(), validated->certificates.begin(), validated->certificates.end());

  // Revocation of the signer's path, as of the proof of existence, and of the TSA's path, as of
  // its token (EN 319 102-1 §5.2.5; a TSA whose key may be compromised: RFC 3161 §4).
  bool long_term = false;
  if (chain_ok) {
    PathStatus signer_status = check_path(*path, proof, ctx.revocation);
    checks.add("revocation", signer_status.ok, signer_status.detail, signer_status.failure);
    long_term = signer_status.ok && signer_status.all_embedded;
    if (first) report.used.insert(report.used.end(), signer_status.used.begin(), signer_status.used.end());
  }
  if (!tsa_path.empty()) {
    PathStatus tsa_status = check_path(tsa_path, timestamped, ctx.revocation, PathRole::timestamp_authority);
    checks.add("timestamp_revocation", tsa_status.ok, tsa_status.detail, tsa_status.failure);
    long_term = long_term && tsa_status.ok && tsa_status.all_embedded;
    if (first) report.used.insert(report.used.end(), tsa_status.used.begin(), tsa_status.used.end());
  }

  // Fit for document signatures: key usage and, when present, extended key usage.
  const bool ku_ok = signer_cert.key_usage_allows_signing();
  const bool eku_ok = signer_cert.extended_key_usage_allows_document_signing();
  checks.add("key_usage", ku_ok && eku_ok,
             !ku_ok    ? "the certificate's key usage does not allow signatures"
             : !eku_ok ? "the certificate's extended key usage does not allow signing documents"
                       : "");

  // Key sizes: the signer's, every certificate of its path and of the time-stamp's TSA path
  // (ETSI TS 119 312).
  std::string weak = signer_cert.key_weakness(ctx.keys);
  if (!weak.empty()) weak = "the signer certificate has " + weak;
  if (weak.empty() && path) weak = path_key_weakness(*path, ctx.keys, "signer");
  if (weak.empty()) weak = path_key_weakness(tsa_path, ctx.keys, "TSA");
  checks.add("key_strength", weak.empty(), weak, {Indication::indeterminate, sub::crypto_constraints_failure_no_poe});

  const bool too_early = validation_time < signer_cert.not_before();
  const bool in_validity = !too_early && validation_time <= signer_cert.not_after();
  checks.add("certificate_validity", in_validity,
             in_validity ? ""
                         : "the signer certificate (valid " + rfc3339(signer_cert.not_before()) + " to " +
                               rfc3339(signer_cert.not_after()) + ") was not valid at the validation time " +
                               rfc3339(validation_time) + " (" + (proof ? proof_source : "current time") + ")",
             too_early ? chain_failure_for(X509_V_ERR_CERT_NOT_YET_VALID, proof.has_value())
                       : chain_failure_for(X509_V_ERR_CERT_HAS_EXPIRED, proof.has_value()));
  return long_term;
}

// CAdES B-LTA (EN 319 122-1 §5.5.3): every archive-time-stamp-v3 of the first SignerInfo must
// verify over the signature and what it held then, and its TSA's path is checked like a
// signature time-stamp's (key strength, revocation at the token's time). Returns whether one
// valid archive time-stamp covers every OCSP response and CRL the validation used so far (the
// B-LT data). Anyone may append an unsigned attribute, so one that fails fails the signature, as
// a broken document time-stamp fails a PDF.
bool check_archive_timestamps(ByteView der, CMS_ContentInfo* cms, const std::map<DigestAlgorithm, Digest>& digests,
                              const CmsContext& ctx, Checks& checks, SignatureReport& report) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> archive_oid(OBJ_txt2obj(oid::archive_timestamp_v3, 1),
                                                                        ASN1_OBJECT_free);
  if (!archive_oid || sk_CMS_SignerInfo_num(infos) < 1 ||
      CMS_unsigned_get_attr_by_OBJ(sk_CMS_SignerInfo_value(infos, 0), archive_oid.get(), -1) < 0)
    return false;
  const std::vector<cms::ArchiveTimestampCheck> archives = cms::check_archive_timestamps(
      der, 0,
      [&](DigestAlgorithm a) {
        auto it = digests.find(a);
        if (it == digests.end())
          throw Error(Errc::input, "", "the signed content was not hashed with " + to_string(a) + ", the archive time-stamp's hash");
        return it->second;
      },
      ctx.trust);
  const std::size_t relied_on = report.used.size();  // what the validation used before the archives
  cms::SignedDataParts sd;
  std::string why;
  const bool parsed = cms::parse_signed_data(der, sd, why);
  bool archived = false;
  for (std::size_t i = 0; i < archives.size(); ++i) {
    const cms::ArchiveTimestampCheck& a = archives[i];
    const std::string name = "archive_timestamp" + (i == 0 ? std::string() : "#" + std::to_string(i + 1));
    const std::string tsa = a.tsa_path.empty() ? std::string() : Certificate::from_x509(a.tsa_path.front().get()).subject();
    if (!checks.add(name, a.ok, a.ok ? "at " + rfc3339(a.time) + " by " + tsa : a.error)) continue;
    report.used.push_back(validation_object("time-stamp", a.token, "archive time-stamp at " + rfc3339(a.time) + " by " + tsa));
    const std::string weak = path_key_weakness(a.tsa_path, ctx.keys, "archive TSA");
    const PathStatus status = check_path(a.tsa_path, a.time, ctx.revocation, PathRole::timestamp_authority);
    const bool strong = checks.add(name + "_key_strength", weak.empty(), weak,
                                   {Indication::indeterminate, sub::crypto_constraints_failure_no_poe});
    const bool ok = checks.add(name + "_revocation", status.ok, status.detail, status.failure) && strong;
    report.used.insert(report.used.end(), status.used.begin(), status.used.end());
    if (!ok || !parsed) continue;
    // What this time-stamp archived: the revocation values its index lists.
    cms::SignedDataParts covered = sd;
    covered.crls.clear();
    for (std::size_t pos : a.covered_crls)
      if (pos < sd.crls.size()) covered.crls.push_back(sd.crls[pos]);
    archived = archived || archives_evidence_of(cms::held_validation_data(covered),
                                                   std::span<const ValidationObject>(report.used).first(relied_on));
  }
  return archived;
}

void check_cms(ByteView der, const CmsContext& ctx, SignatureReport& report) {
  Checks checks(report);
  auto done = [&] { conclude(report); };
  ossl::clear_errors();

  if (der.empty() || der.size() > kMaxCmsSize) {
    checks.add("cms_structure", false, "signature is empty or too large");
    return done();
  }
  std::vector<std::shared_ptr<X509>> held;
  std::optional<Bytes> stripped;
  if (ctx.certificates) stripped = strip_certificates(der, *ctx.certificates, held);
  ByteView to_parse = stripped ? ByteView(*stripped) : der;
  const unsigned char* p = to_parse.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(to_parse.size())));
  if (!cms) {
    checks.add("cms_structure", false, "not a DER CMS ContentInfo (" + ossl::drain_errors() + ")");
    return done();
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    checks.add("cms_structure", false, "not a SignedData");
    return done();
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  const int count = sk_CMS_SignerInfo_num(infos);
  // One SignerInfo is what PAdES and CAdES produce; some tools add one per digest algorithm.
  // Every one present must verify: a signature esign cannot fully check is invalid.
  if (count < 1 || count > 4) {
    checks.add("cms_structure", false, "expected one SignerInfo, found " + std::to_string(count));
    return done();
  }
  if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_pkcs7_data) {
    checks.add("cms_structure", false, "encapsulated content type is not id-data");
    return done();
  }
  checks.add("cms_structure", true, count == 1 ? "" : std::to_string(count) + " SignerInfos");

  if (!stripped) {
    ossl::X509Stack own(CMS_get1_certs(cms.get()));
    while (own && sk_X509_num(own.get()) > 0) held.emplace_back(sk_X509_shift(own.get()), X509_free);
  }
  ossl::X509View certs(sk_X509_new_null());
  for (const auto& c : held) sk_X509_push(certs.get(), c.get());

  // The content's digest for each algorithm named, computed in one pass over the content.
  std::vector<DigestAlgorithm> algorithms;
  for (int i = 0; i < count; ++i) {
    X509_ALGOR* alg = nullptr;
    CMS_SignerInfo_get0_algs(sk_CMS_SignerInfo_value(infos, i), nullptr, nullptr, &alg, nullptr);
    if (auto a = digest_from_nid(OBJ_obj2nid(alg->algorithm));
        a && std::find(algorithms.begin(), algorithms.end(), *a) == algorithms.end())
      algorithms.push_back(*a);
  }
  // What the signature is checked against (EN 319 122-1 §5.2.1: the message digest of the
  // signed data): for a PDF the /ByteRange only; for a .p7s the detached data when given.
  std::vector<Digest> computed;
  ASN1_OCTET_STRING** attached = CMS_get0_content(cms.get());
  const bool has_attached = attached != nullptr && *attached != nullptr;
  const ByteView attached_bytes =
      has_attached ? ByteView((*attached)->data, static_cast<std::size_t>((*attached)->length)) : ByteView();
  if (ctx.detached_only) {
    checks.add("cms_detached", !has_attached,
               has_attached ? "the CMS carries encapsulated content; a PDF signature must be detached and sign the /ByteRange"
                            : "");
    if (ctx.content_digests) computed = ctx.content_digests(algorithms);
  } else if (ctx.content_digests) {
    computed = ctx.content_digests(algorithms);
    if (has_attached) {
      bool same = true;
      for (const Digest& d : computed) same = same && digest_of(d.algorithm, attached_bytes).value == d.value;
      checks.add("attached_content", same,
                 same ? "equal to the detached data" : "the CMS carries content that differs from the detached data");
    }
  } else if (has_attached) {
    for (DigestAlgorithm a : algorithms) computed.push_back(digest_of(a, attached_bytes));
  }
  std::map<DigestAlgorithm, Digest> digests;
  for (Digest& d : computed) digests[d.algorithm] = std::move(d);

  // What the CMS itself carries for long-term validation, with what the container holds.
  CmsContext with_revocation = ctx;
  der::ValidationData embedded = embedded_revocation(der);
  if (ctx.revocation.embedded) embedded.merge(*ctx.revocation.embedded);
  with_revocation.revocation.embedded = &embedded;
  bool long_term = true;
  for (int i = 0; i < count; ++i) {
    Checks signer_checks(report, i == 0 ? "" : "#" + std::to_string(i + 1));
    long_term = check_signer(cms.get(), sk_CMS_SignerInfo_value(infos, i), certs.get(), held, digests, with_revocation,
                             signer_checks, report, i == 0) && long_term;
  }
  const bool archived = check_archive_timestamps(der, cms.get(), digests, with_revocation, checks, report);
  done();
  // The baseline level reached: B-B needs the signing-certificate attribute, B-T adds a valid
  // signature time-stamp, B-LT the validation data, B-LTA an archive time-stamp over them
  // (EN 319 122-1 §6, EN 319 142-1 §6).
  if (report.valid) {
    bool ess = false;
    for (const Check& c : report.checks) ess = ess || (c.name == "signing_certificate" && c.ok);
    if (ess)
      report.level = report.timestamp_time.empty() ? "B-B"
                     : !long_term                  ? "B-T"
                     : archived                    ? "B-LTA"
                                                   : "B-LT";
  }
}

}  // namespace esign::verify
