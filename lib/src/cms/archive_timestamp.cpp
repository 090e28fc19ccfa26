// CAdES archive time-stamps: the SignedData read as encoded, ats-hash-index-v3, archive-time-stamp-v3.
#include "cms/archive_timestamp.h"

#include <openssl/cms.h>

#include <algorithm>
#include <array>
#include <utility>

#include "der/der.h"
#include "cms/signed_data.h"
#include "crypto/openssl.h"
#include "esign/error.h"
#include "tsp/tsp.h"

namespace esign::cms {

namespace {

constexpr std::uint8_t kContext0 = 0xa0, kContext1 = 0xa1;
constexpr std::uint8_t kImplicitPrimitive0 = 0x80;  // [0] IMPLICIT SubjectKeyIdentifier (an OCTET STRING)

// Every element of `content`, at most `max` of them; false when one is malformed or there are more.
bool read_all(ByteView content, std::vector<der::Element>& out, std::size_t max) {
  out.clear();
  while (!content.empty()) {
    if (out.size() >= max) return false;
    der::Element e;
    if (!der::read(content, e)) return false;
    out.push_back(e);
  }
  return true;
}

// The one element `der` consists of, with tag `tag`.
bool read_only(ByteView der, std::uint8_t tag, der::Element& out) {
  return der::read(der, out) && der.empty() && out.tag == tag;
}

bool fail(std::string& why, const char* what) {
  why = what;
  return false;
}

bool parse_signer_info(ByteView whole, SignerInfoParts& out, std::string& why) {
  der::Element seq;
  std::vector<der::Element> f;
  if (!read_only(whole, der::tag::sequence, seq) || !read_all(seq.content, f, 8))
    return fail(why, "a SignerInfo is not a DER SEQUENCE");
  out = SignerInfoParts{};
  out.whole = whole;
  std::size_t i = 0;
  auto next = [&](std::uint8_t tag) -> const der::Element* { return i < f.size() && f[i].tag == tag ? &f[i++] : nullptr; };
  const der::Element* version = next(der::tag::integer);
  const der::Element* sid = i < f.size() && (f[i].tag == der::tag::sequence || f[i].tag == kImplicitPrimitive0) ? &f[i++] : nullptr;
  const der::Element* digest = next(der::tag::sequence);
  const der::Element* signed_attrs = next(kContext0);
  const der::Element* sig_alg = next(der::tag::sequence);
  const der::Element* signature = next(der::tag::octet_string);
  const der::Element* unsigned_attrs = next(kContext1);
  if (!version || !sid || !digest || !sig_alg || !signature || i != f.size())
    return fail(why, "a SignerInfo does not have the fields of RFC 5652 §5.3");
  out.version = version->whole;
  out.sid = sid->whole;
  out.digest_algorithm = digest->whole;
  if (signed_attrs) out.signed_attrs = signed_attrs->whole;
  out.signature_algorithm = sig_alg->whole;
  out.signature = signature->whole;
  if (unsigned_attrs) {
    std::vector<der::Element> attrs;
    if (!read_all(unsigned_attrs->content, attrs, kMaxUnsignedAttributes))
      return fail(why, "a SignerInfo's unsigned attributes are malformed or too many");
    for (const der::Element& a : attrs) {
      if (a.tag != der::tag::sequence) return fail(why, "an unsigned attribute is not a SEQUENCE");
      out.unsigned_attrs.push_back(a.whole);
    }
  }
  return true;
}

// A SignerInfo with `unsigned_attrs` instead of its own (no [1] field when empty).
Bytes encode_signer_info(const SignerInfoParts& si, const std::vector<ByteView>& unsigned_attrs) {
  Bytes attrs;
  for (ByteView a : unsigned_attrs) attrs.insert(attrs.end(), a.begin(), a.end());
  return der::sequence({si.version, si.sid, si.digest_algorithm, si.signed_attrs, si.signature_algorithm, si.signature,
                        unsigned_attrs.empty() ? Bytes{} : der::tlv(kContext1, attrs)});
}

// The ContentInfo of `sd` with these certificates, revocation values and SignerInfos.
Bytes encode_signed_data(const SignedDataParts& sd, const std::vector<ByteView>& certificates, bool with_certificates,
                         const std::vector<ByteView>& crls, bool with_crls, const std::vector<ByteView>& signers) {
  auto implicit_set = [](std::uint8_t tag, const std::vector<ByteView>& items) {
    Bytes content;
    for (ByteView b : items) content.insert(content.end(), b.begin(), b.end());
    return der::tlv(tag, content);
  };
  Bytes signer_set;
  for (ByteView s : signers) signer_set.insert(signer_set.end(), s.begin(), s.end());
  Bytes signed_data = der::sequence({sd.version, sd.digest_algorithms, sd.encap_content_info,
                                     with_certificates ? implicit_set(kContext0, certificates) : Bytes{},
                                     with_crls ? implicit_set(kContext1, crls) : Bytes{}, der::tlv(der::tag::set, signer_set)});
  return der::sequence({sd.content_type, der::tlv(kContext0, signed_data)});
}

// `items` in DER SET OF order (X.690 §11.6).
std::vector<ByteView> der_order(std::vector<ByteView> items) {
  std::sort(items.begin(), items.end(),
            [](ByteView a, ByteView b) { return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()); });
  return items;
}

bool same(ByteView a, ByteView b) { return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()); }

Bytes attribute(const char* type, ByteView value) {
  return der::sequence({der::oid(type), der::tlv(der::tag::set, value)});
}

Bytes algorithm_identifier(DigestAlgorithm a) { return der::sequence({der::oid(oid::digest(a))}); }

SignedDataParts parse_or_throw(ByteView der, const std::string& subject, const char* what) {
  SignedDataParts sd;
  std::string why;
  if (!parse_signed_data(der, sd, why)) throw Error(Errc::input, subject, std::string(what) + ": " + why);
  return sd;
}

// The hashes of what an ats-hash-index-v3 may list, with one algorithm: each paired with its
// position (the certificate's, the revocation value's, the unsigned attribute's), sorted by hash.
struct ItemHashes {
  using List = std::vector<std::pair<Bytes, std::size_t>>;
  List certificates, crls, values;
};

ItemHashes hash_items(const SignedDataParts& sd, const SignerInfoParts& si, DigestAlgorithm alg) {
  ItemHashes h;
  for (std::size_t i = 0; i < sd.certificates.size(); ++i) h.certificates.emplace_back(digest_of(alg, sd.certificates[i]).value, i);
  for (std::size_t i = 0; i < sd.crls.size(); ++i) h.crls.emplace_back(digest_of(alg, sd.crls[i]).value, i);
  for (std::size_t i = 0; i < si.unsigned_attrs.size(); ++i) {
    AttributeParts a;
    if (!parse_attribute(si.unsigned_attrs[i], a)) continue;
    for (ByteView v : a.values) {
      Hasher hasher(alg);
      hasher.update(a.type);
      hasher.update(v);
      h.values.emplace_back(hasher.finish().value, i);
    }
  }
  for (ItemHashes::List* l : {&h.certificates, &h.crls, &h.values}) std::sort(l->begin(), l->end());
  return h;
}

// Matches each listed hash with a distinct item of the same hash; false when one has none. The
// positions of the matched items go to `covered` (sorted, once each).
bool match(std::vector<Bytes> listed, const ItemHashes::List& items, std::vector<std::size_t>& covered) {
  std::sort(listed.begin(), listed.end());
  std::size_t j = 0;
  for (const Bytes& want : listed) {
    while (j < items.size() && items[j].first < want) ++j;
    if (j == items.size() || items[j].first != want) return false;
    covered.push_back(items[j++].second);
  }
  std::sort(covered.begin(), covered.end());
  covered.erase(std::unique(covered.begin(), covered.end()), covered.end());
  return true;
}

// An ATSHashIndexV3, read.
struct HashIndex {
  DigestAlgorithm algorithm = DigestAlgorithm::sha256;
  std::vector<Bytes> certificates, crls, values;
};

bool parse_hash_index(ByteView der, HashIndex& out, std::string& why) {
  der::Element seq;
  std::vector<der::Element> f;
  if (!read_only(der, der::tag::sequence, seq) || !read_all(seq.content, f, 4) || f.size() < 3)
    return fail(why, "the ats-hash-index-v3 is not a SEQUENCE of three or four fields");
  std::size_t first = 0;
  if (f.size() == 4) {
    std::optional<DigestAlgorithm> a = digest_algorithm_of(f[0].whole);
    if (!a) return fail(why, "the ats-hash-index-v3 names a hash algorithm other than SHA-256/384/512");
    out.algorithm = *a;
    first = 1;
  }
  std::size_t total = 0;
  std::array<std::vector<Bytes>*, 3> lists{&out.certificates, &out.crls, &out.values};
  for (std::size_t k = 0; k < 3; ++k) {
    const der::Element& list = f[first + k];
    std::vector<der::Element> entries;
    if (list.tag != der::tag::sequence || !read_all(list.content, entries, kMaxIndexEntries - total))
      return fail(why, "the ats-hash-index-v3 lists are malformed or hold more than 4096 hashes");
    total += entries.size();
    for (const der::Element& e : entries) {
      if (e.tag != der::tag::octet_string || e.content.size() != digest_size(out.algorithm))
        return fail(why, "an ats-hash-index-v3 entry is not an OCTET STRING of the hash's size");
      lists[k]->emplace_back(e.content.begin(), e.content.end());
    }
  }
  return true;
}

// The ats-hash-index-v3 value in the token's SignerInfo (the attribute must be there once, with
// one value).
bool index_of_token(const SignedDataParts& token, ByteView& index, std::string& why) {
  if (token.signers.size() != 1) return fail(why, "the archive time-stamp token does not have exactly one signer");
  const ByteView* found = nullptr;
  for (ByteView a : token.signers[0].unsigned_attrs) {
    AttributeParts attr;
    if (!parse_attribute(a, attr)) return fail(why, "an unsigned attribute of the archive time-stamp token is malformed");
    if (attr.oid != oid::ats_hash_index_v3) continue;
    if (found || attr.values.size() != 1)
      return fail(why, "the archive time-stamp token's ats-hash-index-v3 attribute is repeated or not single-valued");
    index = attr.values[0];
    found = &index;
  }
  if (!found) return fail(why, "the archive time-stamp token has no ats-hash-index-v3 attribute");
  return true;
}

// The CMS could not be read as DER: the archive-time-stamp-v3 attributes OpenSSL finds in it,
// each reported not ok.
std::vector<ArchiveTimestampCheck> unreadable(ByteView cms_der, std::size_t signer_index, const std::string& why) {
  std::vector<ArchiveTimestampCheck> out;
  const unsigned char* p = cms_der.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms_der.size())));
  STACK_OF(CMS_SignerInfo)* infos = cms ? CMS_get0_SignerInfos(cms.get()) : nullptr;
  if (infos && signer_index < static_cast<std::size_t>(sk_CMS_SignerInfo_num(infos))) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, static_cast<int>(signer_index));
    std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>> type(OBJ_txt2obj(oid::archive_timestamp_v3, 1));
    int count = CMS_unsigned_get_attr_count(si);
    for (int i = 0; type && i < count && out.size() <= kMaxArchiveTimestamps; ++i) {
      X509_ATTRIBUTE* a = CMS_unsigned_get_attr(si, i);
      if (a == nullptr || OBJ_cmp(X509_ATTRIBUTE_get0_object(a), type.get()) != 0) continue;
      ArchiveTimestampCheck c;
      c.attribute_index = static_cast<std::size_t>(i);
      c.error = "the archive time-stamp cannot be checked: " + why;
      out.push_back(std::move(c));
    }
  }
  ossl::clear_errors();
  return out;
}

}  // namespace

bool parse_signed_data(ByteView der, SignedDataParts& out, std::string& why) {
  out = SignedDataParts{};
  der::Element ci;
  std::vector<der::Element> f;
  if (!read_only(der, der::tag::sequence, ci) || !read_all(ci.content, f, 2) || f.size() != 2 ||
      f[0].tag != der::tag::oid || f[1].tag != kContext0)
    return fail(why, "not a DER (definite-length) CMS ContentInfo");
  if (der::oid_string(f[0].content) != oid::signed_data) return fail(why, "the CMS is not SignedData");
  out.content_type = f[0].whole;
  der::Element sd;
  std::vector<der::Element> s;
  if (!read_only(f[1].content, der::tag::sequence, sd) || !read_all(sd.content, s, 6))
    return fail(why, "the SignedData is not a DER SEQUENCE");
  std::size_t i = 0;
  auto next = [&](std::uint8_t tag) -> const der::Element* { return i < s.size() && s[i].tag == tag ? &s[i++] : nullptr; };
  const der::Element* version = next(der::tag::integer);
  const der::Element* digests = next(der::tag::set);
  const der::Element* encap = next(der::tag::sequence);
  const der::Element* certs = next(kContext0);
  const der::Element* crls = next(kContext1);
  const der::Element* signers = next(der::tag::set);
  if (!version || !digests || !encap || !signers || i != s.size())
    return fail(why, "the SignedData does not have the fields of RFC 5652 §5.1");
  out.version = version->whole;
  out.digest_algorithms = digests->whole;
  out.encap_content_info = encap->whole;

  std::vector<der::Element> e;
  if (!read_all(encap->content, e, 2) || e.empty() || e[0].tag != der::tag::oid)
    return fail(why, "the encapContentInfo is malformed");
  out.econtent_type = e[0].whole;
  if (e.size() == 2) {
    der::Element octets;
    if (e[1].tag != kContext0 || !read_only(e[1].content, der::tag::octet_string, octets))
      return fail(why, "the eContent is not one primitive OCTET STRING");
    out.econtent = octets.content;
  }

  std::vector<der::Element> items;
  if (certs) {
    if (!read_all(certs->content, items, kMaxItems)) return fail(why, "the certificates field is malformed or holds more than 4096");
    out.has_certificates = true;
    for (const der::Element& c : items) out.certificates.push_back(c.whole);
  }
  if (crls) {
    if (!read_all(crls->content, items, kMaxItems)) return fail(why, "the crls field is malformed or holds more than 4096");
    out.has_crls = true;
    for (const der::Element& c : items) out.crls.push_back(c.whole);
  }
  if (!read_all(signers->content, items, kMaxSignerInfos)) return fail(why, "the signerInfos are malformed or too many");
  std::size_t values = 0;
  for (const der::Element& si : items) {
    SignerInfoParts parts;
    if (!parse_signer_info(si.whole, parts, why)) return false;
    for (ByteView a : parts.unsigned_attrs) {
      AttributeParts attr;
      if (!parse_attribute(a, attr)) return fail(why, "an unsigned attribute is malformed");
      if ((values += attr.values.size()) > kMaxItems) return fail(why, "the unsigned attributes hold more than 4096 values");
    }
    out.signers.push_back(std::move(parts));
  }
  return true;
}

bool parse_attribute(ByteView der, AttributeParts& out) {
  out = AttributeParts{};
  der::Element seq;
  std::vector<der::Element> f, values;
  if (!read_only(der, der::tag::sequence, seq) || !read_all(seq.content, f, 2) || f.size() != 2 ||
      f[0].tag != der::tag::oid || f[1].tag != der::tag::set || !read_all(f[1].content, values, kMaxItems))
    return false;
  out.type = f[0].whole;
  out.oid = der::oid_string(f[0].content);
  for (const der::Element& v : values) out.values.push_back(v.whole);
  return !out.oid.empty();
}

der::ValidationData held_validation_data(const SignedDataParts& sd) {
  der::ValidationData held;
  for (ByteView c : sd.certificates)
    if (!c.empty() && c[0] == der::tag::sequence) held.certs.emplace_back(c.begin(), c.end());
  for (ByteView r : sd.crls) {
    if (r.empty()) continue;
    if (r[0] == der::tag::sequence) {
      held.crls.emplace_back(r.begin(), r.end());
      continue;
    }
    // [1] IMPLICIT OtherRevocationInfoFormat { otherRevInfoFormat OID, otherRevInfo ANY }
    der::Element other;
    std::vector<der::Element> f;
    if (!read_only(r, kContext1, other) || !read_all(other.content, f, 2) || f.size() != 2 || f[0].tag != der::tag::oid)
      continue;
    if (der::oid_string(f[0].content) == oid::ri_ocsp_response) held.ocsps.emplace_back(f[1].whole.begin(), f[1].whole.end());
  }
  return held;
}

Bytes ats_hash_index(const SignedDataParts& sd, const SignerInfoParts& signer, DigestAlgorithm alg) {
  auto list = [alg](const std::vector<Bytes>& inputs) {
    Bytes content;
    for (const Bytes& in : inputs) {
      Bytes h = der::octet_string(digest_of(alg, in).value);
      content.insert(content.end(), h.begin(), h.end());
    }
    return der::tlv(der::tag::sequence, content);
  };
  std::vector<Bytes> certs, crls, values;
  for (ByteView c : sd.certificates) certs.emplace_back(c.begin(), c.end());
  for (ByteView r : sd.crls) crls.emplace_back(r.begin(), r.end());
  for (ByteView a : signer.unsigned_attrs) {
    AttributeParts attr;
    if (!parse_attribute(a, attr)) continue;
    for (ByteView v : attr.values) values.push_back(der::concat({attr.type, v}));
  }
  return der::sequence({algorithm_identifier(alg), list(certs), list(crls), list(values)});
}

Bytes archive_timestamp_input(const SignedDataParts& sd, const SignerInfoParts& signer, const Digest& content_digest,
                              ByteView index) {
  return der::concat({sd.econtent_type, content_digest.value, signer.version, signer.sid, signer.digest_algorithm,
                      signer.signed_attrs, signer.signature_algorithm, signer.signature, index});
}

Bytes add_validation_data(ByteView cms_der, const der::ValidationData& data, const std::string& subject) {
  SignedDataParts sd = parse_or_throw(cms_der, subject, "cannot add validation data");
  std::vector<Bytes> owned;
  owned.reserve(data.certs.size() + data.crls.size() + data.ocsps.size());
  std::vector<ByteView> certs = sd.certificates, crls = sd.crls;
  auto add = [&owned](std::vector<ByteView>& into, Bytes item) {
    if (std::any_of(into.begin(), into.end(), [&](ByteView b) { return same(b, item); })) return;
    owned.push_back(std::move(item));
    into.push_back(owned.back());
  };
  for (const Bytes& c : data.certs) add(certs, c);
  for (const Bytes& crl : data.crls) add(crls, crl);
  for (const Bytes& ocsp : data.ocsps) add(crls, der::tlv(kContext1, der::concat({der::oid(oid::ri_ocsp_response), ocsp})));
  if (certs.size() > kMaxItems || crls.size() > kMaxItems)
    throw Error(Errc::input, subject, "the CMS would hold more than 4096 certificates or revocation values");
  const bool with_certificates = sd.has_certificates || certs.size() > sd.certificates.size();
  const bool with_crls = sd.has_crls || crls.size() > sd.crls.size();
  std::vector<ByteView> signers;
  for (const SignerInfoParts& si : sd.signers) signers.push_back(si.whole);
  return encode_signed_data(sd, der_order(std::move(certs)), with_certificates, der_order(std::move(crls)), with_crls,
                            signers);
}

Bytes add_archive_timestamp(ByteView cms_der, std::size_t signer_index, const Digest& content_digest,
                            Timestamper& timestamper, const std::string& subject) {
  SignedDataParts sd = parse_or_throw(cms_der, subject, "cannot add an archive time-stamp");
  if (signer_index >= sd.signers.size()) throw Error(Errc::input, subject, "the CMS has no such signer");
  const SignerInfoParts& si = sd.signers[signer_index];
  if (si.unsigned_attrs.size() >= kMaxUnsignedAttributes)
    throw Error(Errc::input, subject, "the signature has too many unsigned attributes for another one");
  const DigestAlgorithm alg = content_digest.algorithm;
  Bytes index = ats_hash_index(sd, si, alg);
  Bytes input = archive_timestamp_input(sd, si, content_digest, index);
  Bytes token = timestamper.timestamp(digest_of(alg, input));

  // The index goes into the token's unsigned attributes (the TSA's signature does not cover them).
  SignedDataParts tsd;
  std::string why;
  if (!parse_signed_data(token, tsd, why) || tsd.signers.size() != 1)
    throw Error(Errc::remote, subject, "the TSA's token cannot carry an ats-hash-index-v3: " + (why.empty() ? "not one signer" : why));
  Bytes index_attr = attribute(oid::ats_hash_index_v3, index);
  std::vector<ByteView> token_attrs = tsd.signers[0].unsigned_attrs;
  token_attrs.push_back(index_attr);
  Bytes token_signer = encode_signer_info(tsd.signers[0], token_attrs);
  Bytes archive_token = encode_signed_data(tsd, tsd.certificates, tsd.has_certificates, tsd.crls, tsd.has_crls, {token_signer});

  Bytes ats_attr = attribute(oid::archive_timestamp_v3, archive_token);
  std::vector<ByteView> attrs = si.unsigned_attrs;
  attrs.push_back(ats_attr);
  Bytes new_signer = encode_signer_info(si, attrs);
  std::vector<ByteView> signers;
  for (std::size_t i = 0; i < sd.signers.size(); ++i) signers.push_back(i == signer_index ? ByteView(new_signer) : sd.signers[i].whole);
  return encode_signed_data(sd, sd.certificates, sd.has_certificates, sd.crls, sd.has_crls, signers);
}

std::optional<DigestAlgorithm> digest_algorithm_of(ByteView algorithm_identifier) {
  der::Element seq;
  std::vector<der::Element> f;
  if (!read_only(algorithm_identifier, der::tag::sequence, seq) || !read_all(seq.content, f, 2) || f.empty() ||
      f[0].tag != der::tag::oid)
    return std::nullopt;
  if (f.size() == 2 && (f[1].tag != der::tag::null || !f[1].content.empty())) return std::nullopt;
  const std::string o = der::oid_string(f[0].content);
  for (DigestAlgorithm a : {DigestAlgorithm::sha256, DigestAlgorithm::sha384, DigestAlgorithm::sha512})
    if (o == oid::digest(a)) return a;
  return std::nullopt;
}

std::optional<DigestAlgorithm> token_imprint_algorithm(ByteView token) {
  SignedDataParts sd;
  std::string why;
  if (!parse_signed_data(token, sd, why) || !sd.econtent) return std::nullopt;
  // TSTInfo ::= SEQUENCE { version, policy, messageImprint SEQUENCE { hashAlgorithm, hashedMessage }, ... }
  der::Element info, imprint_alg;
  ByteView rest = *sd.econtent;
  if (!der::read(rest, info) || info.tag != der::tag::sequence) return std::nullopt;
  ByteView fields = info.content;
  der::Element version, policy, imprint;
  if (!der::read(fields, version) || version.tag != der::tag::integer || !der::read(fields, policy) ||
      policy.tag != der::tag::oid || !der::read(fields, imprint) || imprint.tag != der::tag::sequence)
    return std::nullopt;
  ByteView in_imprint = imprint.content;
  if (!der::read(in_imprint, imprint_alg)) return std::nullopt;
  return digest_algorithm_of(imprint_alg.whole);
}

std::vector<ArchiveTimestampCheck> check_archive_timestamps(ByteView cms_der, std::size_t signer_index,
                                                            const std::function<Digest(DigestAlgorithm)>& content_digest,
                                                            X509_STORE* trust) {
  std::vector<ArchiveTimestampCheck> out;
  try {
    SignedDataParts sd;
    std::string why;
    if (!parse_signed_data(cms_der, sd, why)) return unreadable(cms_der, signer_index, why);
    if (signer_index >= sd.signers.size()) return out;
    const SignerInfoParts& si = sd.signers[signer_index];
    std::array<std::optional<ItemHashes>, 3> hashes;  // by algorithm, made on first use
    std::array<std::optional<Digest>, 3> content;

    for (std::size_t pos = 0; pos < si.unsigned_attrs.size(); ++pos) {
      AttributeParts attr;
      if (!parse_attribute(si.unsigned_attrs[pos], attr) || attr.oid != oid::archive_timestamp_v3) continue;
      ArchiveTimestampCheck& c = out.emplace_back();
      c.attribute_index = pos;
      auto failed = [&c](std::string e) { c.error = std::move(e); };
      if (out.size() > kMaxArchiveTimestamps) {
        failed("more than 64 archive time-stamps: this one is not checked");
        continue;
      }
      if (attr.values.size() != 1) {
        failed("the archive-time-stamp-v3 attribute does not hold exactly one token");
        continue;
      }
      c.token.assign(attr.values[0].begin(), attr.values[0].end());
      SignedDataParts token;
      ByteView index_der;
      HashIndex index;
      if (!parse_signed_data(attr.values[0], token, why)) {
        failed("the archive time-stamp token cannot be read: " + why);
        continue;
      }
      if (!index_of_token(token, index_der, why) || !parse_hash_index(index_der, index, why)) {
        failed(why);
        continue;
      }
      std::optional<DigestAlgorithm> alg = token_imprint_algorithm(attr.values[0]);
      if (!alg) {
        failed("the archive time-stamp token's imprint algorithm is not SHA-256/384/512");
        continue;
      }
      if (*alg != index.algorithm) {
        failed("the ats-hash-index-v3 hash algorithm is not the archive time-stamp's imprint algorithm");
        continue;
      }
      const auto slot = static_cast<std::size_t>(*alg);
      if (!hashes[slot]) hashes[slot] = hash_items(sd, si, *alg);
      std::vector<std::size_t> certs, crls, attrs;
      if (!match(index.certificates, hashes[slot]->certificates, certs)) {
        failed("a certificate the archive time-stamp covers was removed or altered");
        continue;
      }
      if (!match(index.crls, hashes[slot]->crls, crls)) {
        failed("a revocation value (CRL or OCSP response) the archive time-stamp covers was removed or altered");
        continue;
      }
      if (!match(index.values, hashes[slot]->values, attrs)) {
        failed("an unsigned attribute the archive time-stamp covers was removed or altered");
        continue;
      }
      c.covered_certificates = std::move(certs);
      c.covered_crls = std::move(crls);
      c.covered_unsigned_attributes = std::move(attrs);
      if (!content[slot]) {
        Digest d;
        try {
          d = content_digest(*alg);
        } catch (const std::exception& e) {
          failed(std::string("the signed content cannot be hashed: ") + e.what());
          continue;
        }
        if (d.algorithm != *alg || d.value.size() != digest_size(*alg)) {
          failed("the signed content's digest is not available with the archive time-stamp's algorithm");
          continue;
        }
        content[slot] = std::move(d);
      }
      Bytes input = archive_timestamp_input(sd, si, *content[slot], index_der);
      tsp::TokenCheck tc = tsp::check(attr.values[0], input, trust);
      if (!tc.ok) {
        failed("the archive time-stamp: " + tc.error);
        continue;
      }
      c.ok = true;
      c.time = tc.time;
      c.tsa_path = std::move(tc.path);
    }
  } catch (const std::exception& e) {
    // Only allocation failures can get here; report what was checked so far as failed.
    for (ArchiveTimestampCheck& c : out)
      if (c.ok || c.error.empty()) {
        c.ok = false;
        c.error = std::string("the archive time-stamps cannot be checked: ") + e.what();
      }
  }
  return out;
}

}  // namespace esign::cms
