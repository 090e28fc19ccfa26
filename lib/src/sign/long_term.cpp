// Long-term validation material: fetching it for a new signature, and for the newest document
// time-stamp of a PDF (B-LTA, archive renewal).
#include "sign/long_term.h"

#include <fmt/format.h>

#include "cms/der.h"
#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/dss.h"
#include "pdf/fields.h"
#include "tsp/revocation.h"

namespace esign::sign {

cms::ValidationData long_term_data(const Profile& profile, const std::vector<Certificate>& chain, ByteView token,
                                   const std::string& subject, std::vector<Certificate> extra) {
  if (profile.timestamp && profile.timestamp->trust)
    for (Certificate& c : Certificate::load_pem_file(*profile.timestamp->trust)) extra.push_back(std::move(c));
  tsp::Collected c = tsp::validation_data_for(chain, token, extra);
  if (!c.revoked.empty()) throw Error(Errc::key, subject, "cannot sign: " + c.revoked.front());
  if (!c.problems.empty() && profile.revocation_required) {
    std::string more = c.problems.size() > 1 ? fmt::format(" (and {} more)", c.problems.size() - 1) : "";
    throw Error(Errc::remote, subject,
                "cannot embed revocation data: " + c.problems.front() + more +
                    "; set `revocation: {required: false}` in the profile to sign without it");
  }
  return std::move(c.data);
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
  if (newest < 0) throw Error(Errc::input, name, "the PDF has no document time-stamp to renew (sign it at B-LTA or add one with `esign stamp`)");
  cms::ValidationData held = pdf::read_dss(doc);
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
