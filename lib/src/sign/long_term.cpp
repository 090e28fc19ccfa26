// Long-term validation material: fetching it for a new signature, and for the newest document
// time-stamp of a PDF (B-LTA, archive renewal).
#include "sign/long_term.h"

#include <fmt/format.h>

#include <openssl/cms.h>
#include <openssl/ts.h>

#include "cms/archive_timestamp.h"
#include "der/der.h"
#include "cms/signed_data.h"
#include "crypto/openssl.h"
#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/dss.h"
#include "pdf/fields.h"
#include "tsp/revocation.h"

namespace esign::sign {

namespace {

using TstInfo = std::unique_ptr<TS_TST_INFO, ossl::Deleter<TS_TST_INFO_free>>;

// What was collected, unless a certificate is revoked or evidence is missing where the profile
// requires it (`action`: what cannot be done then: "sign", "add an archive time-stamp").
der::ValidationData accepted(tsp::Collected c, const Profile& profile, const std::string& subject, const std::string& action) {
  if (!c.revoked.empty()) throw Error(Errc::key, subject, "cannot " + action + ": " + c.revoked.front());
  if (!c.problems.empty() && profile.revocation_required) {
    std::string more = c.problems.size() > 1 ? fmt::format(" (and {} more)", c.problems.size() - 1) : "";
    throw Error(Errc::remote, subject,
                "cannot embed revocation data: " + c.problems.front() + more +
                    "; set `revocation: {required: false}` in the profile to " + action + " without it");
  }
  return std::move(c.data);
}

std::vector<Certificate> timestamp_trust(const Profile& profile) {
  if (profile.timestamp && profile.timestamp->trust) return Certificate::load_pem_file(*profile.timestamp->trust);
  return {};
}

// A token's genTime, or the epoch when it cannot be read.
std::chrono::system_clock::time_point token_time(ByteView token) {
  std::chrono::system_clock::time_point t{};
  const unsigned char* p = token.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(token.size())));
  ASN1_OCTET_STRING** content = cms ? CMS_get0_content(cms.get()) : nullptr;
  if (content && *content) {
    const unsigned char* q = (*content)->data;
    TstInfo info(d2i_TS_TST_INFO(nullptr, &q, (*content)->length));
    if (info) t = ossl::to_time_point(TS_TST_INFO_get_time(info.get()));
  }
  ossl::clear_errors();
  return t;
}

// The certificate among `cms`'s own that signed its first SignerInfo, or nullptr.
std::shared_ptr<X509> signer_certificate(ByteView cms_der) {
  const unsigned char* p = cms_der.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())));
  STACK_OF(CMS_SignerInfo)* infos = cms ? CMS_get0_SignerInfos(cms.get()) : nullptr;
  std::shared_ptr<X509> found;
  if (infos && sk_CMS_SignerInfo_num(infos) >= 1) {
    ossl::X509Stack certs(CMS_get1_certs(cms.get()));
    for (int i = 0; certs && i < sk_X509_num(certs.get()) && !found; ++i) {
      X509* c = sk_X509_value(certs.get(), i);
      if (CMS_SignerInfo_cert_cmp(sk_CMS_SignerInfo_value(infos, 0), c) == 0) {
        X509_up_ref(c);
        found.reset(c, X509_free);
      }
    }
  }
  ossl::clear_errors();
  return found;
}

// The values of the signer's unsigned attributes of type `oid`.
std::vector<ByteView> attribute_values(const cms::SignerInfoParts& si, const char* oid) {
  std::vector<ByteView> out;
  for (ByteView a : si.unsigned_attrs) {
    cms::AttributeParts attr;
    if (cms::parse_attribute(a, attr) && attr.oid == oid) out.insert(out.end(), attr.values.begin(), attr.values.end());
  }
  return out;
}

cms::SignedDataParts renewable(ByteView cms_der, const std::string& name) {
  cms::SignedDataParts sd;
  std::string why;
  if (!cms::parse_signed_data(cms_der, sd, why))
    throw Error(Errc::input, name,
                "archive renewal applies to B-LTA PDFs and CAdES signatures (DER CMS SignedData, .p7s); this is neither (" + why + ")");
  if (sd.signers.size() != 1)
    throw Error(Errc::input, name, fmt::format("the CMS has {} signers; archive renewal applies to signatures with one", sd.signers.size()));
  if (attribute_values(sd.signers[0], oid::signature_timestamp).empty())
    throw Error(Errc::input, name,
                "the signature is not at least B-T (it has no signature time-stamp), so it cannot be extended; sign it at B-T or above");
  return sd;
}

}  // namespace

der::ValidationData long_term_data(const Profile& profile, const std::vector<Certificate>& chain, ByteView token,
                                   const std::string& subject, std::vector<Certificate> extra) {
  for (Certificate& c : timestamp_trust(profile)) extra.push_back(std::move(c));
  return accepted(tsp::validation_data_for(chain, token, extra), profile, subject, "sign");
}

Digest cades_content_digest(ByteView cms_der, const std::string& name) {
  cms::SignedDataParts sd = renewable(cms_der, name);
  const cms::SignerInfoParts& si = sd.signers[0];
  std::optional<DigestAlgorithm> alg = cms::digest_algorithm_of(si.digest_algorithm);
  if (!alg) throw Error(Errc::input, name, "the signature's digest algorithm is not SHA-256/384/512, so it cannot be extended");
  if (sd.econtent) return digest_of(*alg, *sd.econtent);
  // The detached content's digest is the message-digest signed attribute (RFC 5652 §11.2).
  der::Element set;
  ByteView attrs = si.signed_attrs;
  std::optional<Bytes> message_digest;
  if (!attrs.empty() && der::read(attrs, set)) {
    ByteView rest = set.content;
    der::Element a;
    while (der::read(rest, a)) {
      cms::AttributeParts attr;
      if (!cms::parse_attribute(a.whole, attr) || attr.oid != oid::message_digest) continue;
      der::Element v;
      ByteView value = attr.values.size() == 1 ? attr.values[0] : ByteView();
      if (message_digest || !der::read(value, v) || v.tag != der::tag::octet_string || v.content.size() != digest_size(*alg))
        throw Error(Errc::input, name, "the signature's message-digest attribute is malformed or repeated");
      message_digest = Bytes(v.content.begin(), v.content.end());
    }
  }
  if (!message_digest) throw Error(Errc::input, name, "the signature has no message-digest attribute, so it cannot be extended");
  return Digest{*alg, std::move(*message_digest)};
}

der::ValidationData cades_missing_data(ByteView cms_der, const Profile& profile, const std::string& name, bool refresh_newest) {
  cms::SignedDataParts sd = renewable(cms_der, name);
  const cms::SignerInfoParts& si = sd.signers[0];
  der::ValidationData held = cms::held_validation_data(sd);
  std::vector<Certificate> own;
  for (const Bytes& der : held.certs) {
    try {
      own.push_back(Certificate::from_der(der, name));
    } catch (const Error&) {
      // not a certificate OpenSSL reads: it cannot be on a path
    }
  }
  std::vector<Certificate> trust = timestamp_trust(profile);
  std::vector<X509*> pool;
  for (const Certificate& c : own) pool.push_back(c.native());
  for (const Certificate& c : trust) pool.push_back(c.native());

  std::shared_ptr<X509> signer = signer_certificate(cms_der);
  if (!signer) throw Error(Errc::input, name, "the CMS does not carry its signer's certificate, so its status cannot be embedded");
  std::vector<X509*> leaves;
  if (!tsp::covers_path(held, signer.get(), pool)) leaves.push_back(signer.get());

  // Every time-stamp's TSA, the newest first to be refreshed.
  std::vector<ByteView> tokens = attribute_values(si, oid::signature_timestamp);
  for (ByteView t : attribute_values(si, oid::archive_timestamp_v3)) tokens.push_back(t);
  std::vector<tsp::TokenCertificates> tsas;
  std::chrono::system_clock::time_point newest_time{};
  X509* newest = nullptr;
  for (ByteView t : tokens) {
    tsp::TokenCertificates& tsa = tsas.emplace_back(tsp::token_certificates(t));
    if (!tsa.signer) throw Error(Errc::input, name, "a time-stamp token in the signature does not carry its TSA's certificate");
    for (const auto& c : tsa.certs) pool.push_back(c.get());
    if (auto when = token_time(t); !newest || when >= newest_time) {
      newest = tsa.signer;
      newest_time = when;
    }
  }
  for (const tsp::TokenCertificates& tsa : tsas)
    if ((refresh_newest && tsa.signer == newest) || !tsp::covers_path(held, tsa.signer, pool)) leaves.push_back(tsa.signer);
  if (leaves.empty()) return {};
  // Certificates of the pool the CMS does not hold, and evidence it lacks, are added.
  return accepted(tsp::collect_validation_data(leaves, pool), profile, name, "add an archive time-stamp");
}

std::string dss_for_newest_timestamp(ByteView file, const std::string& name, const Profile& profile) {
  pdf::Document doc = pdf::Document::parse(file, name);
  Bytes token;
  std::int64_t newest = -1;
  for (const pdf::SignatureField& f : pdf::signature_fields(doc)) {
    pdf::Object sf = doc.resolve_key(f.value, "SubFilter");
    const pdf::Name* subfilter = sf.get<pdf::Name>();
    pdf::Object br = doc.resolve_key(f.value, "ByteRange");
    pdf::Object contents = doc.resolve_key(f.value, "Contents");
    const pdf::Array* range = br.get<pdf::Array>();
    const pdf::String* value = contents.get<pdf::String>();
    if (!subfilter || subfilter->value != "ETSI.RFC3161" || !range || range->size() != 4 || !value) continue;
    const std::int64_t* start = (*range)[2].get<std::int64_t>();
    const std::int64_t* length = (*range)[3].get<std::int64_t>();
    if (!start || !length || *start + *length <= newest) continue;
    newest = *start + *length;
    ByteView element = der::leading_element(value->value);
    token.assign(element.begin(), element.end());
  }
  if (newest < 0) throw Error(Errc::input, name, "the PDF has no document time-stamp to renew (sign it at B-LTA or add a document time-stamp first)");
  der::ValidationData held = pdf::read_dss(doc);
  std::vector<Certificate> pool;
  for (const Bytes& der : held.certs) pool.push_back(Certificate::from_der(der, name));
  if (profile.timestamp && profile.timestamp->trust)
    for (Certificate& c : Certificate::load_pem_file(*profile.timestamp->trust)) pool.push_back(std::move(c));
  tsp::TokenCertificates tsa = tsp::token_certificates(token);
  std::vector<X509*> raw_pool;
  for (const Certificate& c : pool) raw_pool.push_back(c.native());
  for (const auto& c : tsa.certs) raw_pool.push_back(c.get());
  if (tsa.signer && tsp::covers_path(held, tsa.signer, raw_pool)) return "";
  return pdf::add_dss(file, name, long_term_data(profile, {}, token, name, std::move(pool)));
}

}  // namespace esign::sign
