// CAdES archive time-stamps (EN 319 122-1 §5.5.2, §5.5.3): the imprint input and the
// ats-hash-index-v3 recomputed here by hand from the DER, and check_archive_timestamps on good,
// extended, tampered and broken signatures (tokens from `openssl ts -reply`).
#include <boost/test/unit_test.hpp>

#include <openssl/x509.h>

#include <fstream>

#include "cms/archive_timestamp.h"
#include "der/der.h"
#include "cms/signed_data.h"
#include "crypto/openssl.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/signer.h"
#include "esign/timestamp.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const fs::path& fx() {
  static const fs::path dir = test::fixtures("cms");
  return dir;
}
std::string pki(const std::string& f) { return (fx() / "pki" / f).string(); }

void sh(const std::string& cmd) {
  if (std::system(("{ " + cmd + "; } >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}

Bytes read_bytes(const fs::path& p) {
  std::string s = test::read_file(p);
  return Bytes(s.begin(), s.end());
}

// The fixture TSA, answering through `openssl ts -reply` (no nonce: the imprint is what matters).
class OpensslTsa final : public Timestamper {
 public:
  explicit OpensslTsa(std::string key = pki("tsa.key.pem"), std::string cert = pki("tsa.cert.pem"))
      : key_(std::move(key)), cert_(std::move(cert)) {
    test::write_file(dir_ / "tsa.cnf",
                     "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = " + (dir_ / "serial").string() +
                         "\ncrypto_device = builtin\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
                         "digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\n"
                         "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n");
    test::write_file(dir_ / "serial", "01\n");
  }
  Bytes timestamp(const Digest& imprint) override {
    ++requests;
    const std::string d = dir_.path().string();
    sh("openssl ts -query -digest " + to_hex(imprint.value) + " -" + to_string(imprint.algorithm) +
       " -no_nonce -cert -out " + d + "/q.tsq && openssl ts -reply -config " + d + "/tsa.cnf -queryfile " + d +
       "/q.tsq -inkey " + key_ + " -signer " + cert_ + " -chain " + pki("chain.pem") + " -token_out -out " + d + "/t.tok");
    return read_bytes(dir_ / "t.tok");
  }
  std::size_t max_token_size() override { return 16384; }
  int requests = 0;

 private:
  test::TempDir dir_;
  std::string key_, cert_;
};

ossl::Store trust() {
  ossl::Store store(X509_STORE_new());
  for (const Certificate& c : Certificate::load_pem_file(pki("chain.pem"))) X509_STORE_add_cert(store.get(), c.native());
  return store;
}

const std::string kData = "archive me\n";

Digest content(DigestAlgorithm a) { return digest_of(a, as_bytes(kData)); }

// A detached B-T signature by ec256 over kData, digest `alg`, with the intermediate's CRL and a
// (dummy) OCSP response in the crls field: what an archive time-stamp covers.
Bytes bt_signature(OpensslTsa& tsa, DigestAlgorithm alg = DigestAlgorithm::sha256) {
  Profile profile = load_profile(pki("ec256.yaml"));
  std::unique_ptr<Signer> signer = open_signer(profile, SecretResolver());
  cms::AttributeOptions options;
  options.signing_time = std::chrono::system_clock::now();
  cms::PreparedSignature prepared = cms::prepare(content(alg), signer->chain().front(), options);
  Bytes value = signer->sign(prepared.to_sign);
  Bytes token = tsa.timestamp(cms::timestamp_imprint(value));
  static const Bytes crl = [] {
    test::TempDir d;
    sh("openssl crl -in " + pki("intermediate.crl.pem") + " -outform DER -out " + (d / "i.crl").string());
    return read_bytes(d / "i.crl");
  }();
  der::ValidationData vd;
  vd.crls.push_back(crl);
  vd.ocsps.push_back(der::sequence({der::tlv(0x0a, Bytes{0x00}), der::octet_string(as_bytes("not really OCSP"))}));
  for (const Certificate& c : Certificate::load_pem_file(pki("tsa.cert.pem"))) vd.certs.push_back(c.der());
  return cms::assemble(prepared, value, signer->chain(), signer->scheme(), token, &vd);
}

cms::SignedDataParts parts(ByteView der) {
  cms::SignedDataParts sd;
  std::string why;
  BOOST_REQUIRE_MESSAGE(cms::parse_signed_data(der, sd, why), why);
  return sd;
}

// The ContentInfo of `sd` with other certificates, revocation values and unsigned attributes of
// its first signer, encoded here independently of the module.
Bytes rebuild(const cms::SignedDataParts& sd, const std::vector<ByteView>& certs, const std::vector<ByteView>& crls,
              const std::vector<ByteView>& attrs) {
  auto cat = [](const std::vector<ByteView>& v) {
    Bytes out;
    for (ByteView b : v) out.insert(out.end(), b.begin(), b.end());
    return out;
  };
  const cms::SignerInfoParts& si = sd.signers[0];
  Bytes signer = der::sequence({si.version, si.sid, si.digest_algorithm, si.signed_attrs, si.signature_algorithm,
                                si.signature, attrs.empty() ? Bytes{} : der::tlv(0xa1, cat(attrs))});
  Bytes signed_data = der::sequence({sd.version, sd.digest_algorithms, sd.encap_content_info, der::tlv(0xa0, cat(certs)),
                                     der::tlv(0xa1, cat(crls)), der::tlv(der::tag::set, signer)});
  return der::sequence({sd.content_type, der::tlv(0xa0, signed_data)});
}

std::vector<cms::ArchiveTimestampCheck> check(ByteView cms, X509_STORE* store = nullptr) {
  static ossl::Store chain = trust();
  return cms::check_archive_timestamps(cms, 0, content, store ? store : chain.get());
}

// The single value of the attribute at `pos` of the first signer.
ByteView attribute_value(const cms::SignedDataParts& sd, std::size_t pos) {
  cms::AttributeParts a;
  BOOST_REQUIRE(cms::parse_attribute(sd.signers[0].unsigned_attrs.at(pos), a));
  BOOST_REQUIRE_EQUAL(a.values.size(), 1u);
  return a.values[0];
}

// The ats-hash-index-v3 value inside an archive time-stamp token.
ByteView index_of(ByteView token) {
  cms::SignedDataParts t = parts(token);
  for (ByteView a : t.signers.at(0).unsigned_attrs) {
    cms::AttributeParts attr;
    if (cms::parse_attribute(a, attr) && attr.oid == oid::ats_hash_index_v3) return attr.values.at(0);
  }
  BOOST_FAIL("no ats-hash-index-v3 in the token");
  return {};
}

struct Lta {
  OpensslTsa tsa;
  Bytes bt = bt_signature(tsa);
  Bytes lta = cms::add_archive_timestamp(bt, 0, content(DigestAlgorithm::sha256), tsa, "test");
};

}  // namespace

BOOST_AUTO_TEST_SUITE(archive_timestamp)

BOOST_AUTO_TEST_CASE(the_imprint_input_and_the_index_are_what_section_5_5_3_lists) {
  Lta s;
  cms::SignedDataParts before = parts(s.bt), after = parts(s.lta);
  // Nothing but one unsigned attribute was added, at the end.
  BOOST_TEST(after.certificates.size() == before.certificates.size());
  BOOST_TEST(after.crls.size() == before.crls.size());
  BOOST_REQUIRE_EQUAL(after.signers[0].unsigned_attrs.size(), 2u);
  BOOST_TEST(to_hex(after.signers[0].unsigned_attrs[0]) == to_hex(before.signers[0].unsigned_attrs[0]));
  cms::AttributeParts ats;
  BOOST_REQUIRE(cms::parse_attribute(after.signers[0].unsigned_attrs[1], ats));
  BOOST_TEST(ats.oid == "0.4.0.1733.2.4");
  ByteView token = ats.values.at(0);
  ByteView index = index_of(token);

  // The index, by hand from the DER before the time-stamp: SHA-256 named explicitly, then the
  // hash of each certificate, each revocation value, and attrType || value of each unsigned value.
  auto hashes = [](const std::vector<Bytes>& items) {
    Bytes out;
    for (const Bytes& i : items) {
      Bytes h = der::octet_string(digest_of(DigestAlgorithm::sha256, i).value);
      out.insert(out.end(), h.begin(), h.end());
    }
    return der::tlv(0x30, out);
  };
  std::vector<Bytes> certs, crls;
  for (ByteView c : before.certificates) certs.emplace_back(c.begin(), c.end());
  for (ByteView c : before.crls) crls.emplace_back(c.begin(), c.end());
  BOOST_TEST(certs.size() >= 3u);
  BOOST_TEST(crls.size() == 2u);
  Bytes ts_value(attribute_value(before, 0).begin(), attribute_value(before, 0).end());
  Bytes expected_index = der::sequence({der::sequence({der::oid("2.16.840.1.101.3.4.2.1")}), hashes(certs), hashes(crls),
                                        hashes({der::concat({der::oid("1.2.840.113549.1.9.16.2.14"), ts_value})})});
  BOOST_TEST(to_hex(index) == to_hex(expected_index));
  BOOST_TEST(to_hex(cms::ats_hash_index(before, before.signers[0], DigestAlgorithm::sha256)) == to_hex(expected_index));

  // The input: eContentType, H(content), the SignerInfo's fields up to the signature, the index.
  ByteView si_rest = after.signers[0].whole;
  der::Element si_seq;
  BOOST_REQUIRE(der::read(si_rest, si_seq));
  ByteView fields = si_seq.content;
  Bytes expected = der::oid("1.2.840.113549.1.7.1");
  Digest h = content(DigestAlgorithm::sha256);
  expected.insert(expected.end(), h.value.begin(), h.value.end());
  for (int i = 0; i < 6; ++i) {  // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
    der::Element e;
    BOOST_REQUIRE(der::read(fields, e));
    expected.insert(expected.end(), e.whole.begin(), e.whole.end());
  }
  der::Element unsigned_attrs;
  BOOST_REQUIRE(der::read(fields, unsigned_attrs));
  BOOST_TEST(unsigned_attrs.tag == 0xa1);
  expected.insert(expected.end(), index.begin(), index.end());
  BOOST_TEST(to_hex(cms::archive_timestamp_input(after, after.signers[0], h, index)) == to_hex(expected));
  BOOST_TEST(s.tsa.requests == 2);

  // The token's imprint is the hash of that input: tsp::check would not pass otherwise.
  std::vector<cms::ArchiveTimestampCheck> c = check(s.lta);
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(c[0].ok, c[0].error);
  BOOST_TEST(to_hex(c[0].token) == to_hex(token));
  BOOST_TEST(c[0].attribute_index == 1u);
  BOOST_TEST(c[0].tsa_path.size() == 3u);  // TSA, intermediate, root
  auto age = std::chrono::system_clock::now() - c[0].time;
  BOOST_TEST((age > std::chrono::minutes(-5) && age < std::chrono::minutes(30)));
  BOOST_TEST(c[0].covered_certificates.size() == certs.size());
  BOOST_TEST(c[0].covered_crls.size() == 2u);
  BOOST_TEST(c[0].covered_unsigned_attributes == std::vector<std::size_t>{0});
}

BOOST_AUTO_TEST_CASE(sha512_signatures_get_sha512_archive_time_stamps) {
  OpensslTsa tsa;
  Bytes bt = bt_signature(tsa, DigestAlgorithm::sha512);
  Bytes lta = cms::add_archive_timestamp(bt, 0, content(DigestAlgorithm::sha512), tsa, "test");
  BOOST_TEST((cms::token_imprint_algorithm(attribute_value(parts(lta), 1)) == DigestAlgorithm::sha512));
  std::vector<cms::ArchiveTimestampCheck> c = check(lta);
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(c[0].ok, c[0].error);
}

BOOST_AUTO_TEST_CASE(a_renewal_covers_the_earlier_archive_time_stamp_and_both_check) {
  Lta s;
  der::ValidationData more;
  more.crls.push_back(der::sequence({der::small_integer(7)}));  // stands for fresh evidence
  Bytes renewed = cms::add_validation_data(s.lta, more, "test");
  renewed = cms::add_archive_timestamp(renewed, 0, content(DigestAlgorithm::sha256), s.tsa, "test");
  std::vector<cms::ArchiveTimestampCheck> c = check(renewed);
  BOOST_REQUIRE_EQUAL(c.size(), 2u);
  BOOST_TEST(c[0].ok, c[0].error);
  BOOST_TEST(c[1].ok, c[1].error);
  BOOST_TEST(c[0].covered_crls.size() == 2u);  // the new CRL came after the first time-stamp
  BOOST_TEST(c[1].covered_crls.size() == 3u);
  BOOST_TEST((c[1].covered_unsigned_attributes == std::vector<std::size_t>{0, 1}));
  BOOST_TEST((c[0].time <= c[1].time));
}

BOOST_AUTO_TEST_CASE(validation_data_is_added_once_and_in_der_order) {
  Lta s;
  cms::SignedDataParts sd = parts(s.lta);
  der::ValidationData held = cms::held_validation_data(sd);
  BOOST_TEST(held.certs.size() == sd.certificates.size());
  BOOST_TEST(held.crls.size() == 1u);
  BOOST_TEST(held.ocsps.size() == 1u);
  BOOST_TEST((cms::add_validation_data(s.lta, held, "test") == s.lta));  // nothing new: unchanged
  der::ValidationData one;
  one.certs.push_back(Certificate::load_pem_file(pki("ocsp.cert.pem")).front().der());
  Bytes added = cms::add_validation_data(s.lta, one, "test");
  cms::SignedDataParts more = parts(added);
  BOOST_REQUIRE_EQUAL(more.certificates.size(), sd.certificates.size() + 1);
  for (std::size_t i = 1; i < more.certificates.size(); ++i) {
    ByteView a = more.certificates[i - 1], b = more.certificates[i];
    BOOST_TEST(std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()));
  }
  BOOST_TEST((Bytes(more.signers[0].whole.begin(), more.signers[0].whole.end()) ==
              Bytes(sd.signers[0].whole.begin(), sd.signers[0].whole.end())));
}

BOOST_AUTO_TEST_CASE(what_comes_after_the_time_stamp_does_not_matter) {
  Lta s;
  cms::SignedDataParts sd = parts(s.lta);
  // A certificate and a revocation value added afterwards: not covered, still fine.
  der::ValidationData later;
  later.certs.push_back(Certificate::load_pem_file(pki("ocsp.cert.pem")).front().der());
  later.ocsps.push_back(der::sequence({der::small_integer(1)}));
  std::vector<cms::ArchiveTimestampCheck> c = check(cms::add_validation_data(s.lta, later, "test"));
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(c[0].ok, c[0].error);
  // An unsigned attribute added after the time-stamp.
  Bytes extra = der::sequence({der::oid("1.2.3.4.5"), der::set_of({der::octet_string(as_bytes("later"))})});
  std::vector<ByteView> attrs = sd.signers[0].unsigned_attrs;
  attrs.push_back(extra);
  c = check(rebuild(sd, sd.certificates, sd.crls, attrs));
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(c[0].ok, c[0].error);
  // Items in another order (a DER re-encoding sorts the unsigned attributes).
  std::vector<ByteView> certs(sd.certificates.rbegin(), sd.certificates.rend());
  std::vector<ByteView> reversed(attrs.rbegin(), attrs.rend());
  c = check(rebuild(sd, certs, sd.crls, reversed));
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(c[0].ok, c[0].error);
  BOOST_TEST(c[0].attribute_index == 1u);
}

BOOST_AUTO_TEST_CASE(a_covered_item_removed_or_changed_fails) {
  Lta s;
  cms::SignedDataParts sd = parts(s.lta);
  auto without = [](std::vector<ByteView> v, std::size_t i) {
    v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
    return v;
  };
  auto expect_failure = [](const Bytes& cms, const std::string& what) {
    std::vector<cms::ArchiveTimestampCheck> c = check(cms);
    BOOST_REQUIRE_EQUAL(c.size(), 1u);
    BOOST_TEST(!c[0].ok);
    BOOST_TEST(c[0].error.find(what) != std::string::npos, c[0].error);
    BOOST_TEST((c[0].covered_certificates.empty() && c[0].covered_crls.empty()));
  };
  for (std::size_t i = 0; i < sd.certificates.size(); ++i)
    expect_failure(rebuild(sd, without(sd.certificates, i), sd.crls, sd.signers[0].unsigned_attrs), "certificate");
  for (std::size_t i = 0; i < sd.crls.size(); ++i)
    expect_failure(rebuild(sd, sd.certificates, without(sd.crls, i), sd.signers[0].unsigned_attrs), "revocation value");

  // One byte of the CRL's signature changed (its length unchanged).
  std::vector<ByteView> crls = sd.crls;
  std::size_t crl_at = crls[0][0] == 0x30 ? 0 : 1;
  Bytes changed(crls[crl_at].begin(), crls[crl_at].end());
  changed.back() ^= 0x01;
  crls[crl_at] = changed;
  expect_failure(rebuild(sd, sd.certificates, crls, sd.signers[0].unsigned_attrs), "revocation value");
  // The same for a certificate.
  std::vector<ByteView> certs = sd.certificates;
  Bytes cert(certs[0].begin(), certs[0].end());
  cert.back() ^= 0x01;
  certs[0] = cert;
  expect_failure(rebuild(sd, certs, sd.crls, sd.signers[0].unsigned_attrs), "certificate");
  // The signature time-stamp removed.
  expect_failure(rebuild(sd, sd.certificates, sd.crls, without(sd.signers[0].unsigned_attrs, 0)), "unsigned attribute");
}

BOOST_AUTO_TEST_CASE(other_content_another_tsa_or_a_broken_index_fails) {
  Lta s;
  // The detached content is not the signed one.
  std::vector<cms::ArchiveTimestampCheck> c = cms::check_archive_timestamps(
      s.lta, 0, [](DigestAlgorithm a) { return digest_of(a, as_bytes("other data")); }, trust().get());
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(!c[0].ok);
  BOOST_TEST(c[0].error.find("imprint") != std::string::npos, c[0].error);
  // A content digest that cannot be had (the callback throws).
  c = cms::check_archive_timestamps(
      s.lta, 0, [](DigestAlgorithm) -> Digest { throw std::runtime_error("no data"); }, trust().get());
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(!c[0].ok);
  BOOST_TEST(c[0].error.find("no data") != std::string::npos, c[0].error);
  // A trust store without the TSA's root.
  ossl::Store other(X509_STORE_new());
  X509_STORE_add_cert(other.get(), Certificate::load_pem_file(pki("untrusted-root.pem")).front().native());
  c = check(s.lta, other.get());
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(!c[0].ok);
  BOOST_TEST(c[0].error.find("not trusted") != std::string::npos, c[0].error);
  // No signer at that index: nothing to report.
  BOOST_TEST(cms::check_archive_timestamps(s.lta, 1, content, trust().get()).empty());
  BOOST_TEST(check(s.bt).empty());

  // The index inside the token changed: an extra hash (listing something absent), then gone.
  cms::SignedDataParts sd = parts(s.lta);
  ByteView token = attribute_value(sd, 1);
  cms::SignedDataParts tsd = parts(token);
  auto with_token_attrs = [&](const std::vector<ByteView>& token_attrs) {
    const cms::SignerInfoParts& t = tsd.signers[0];
    Bytes attrs;
    for (ByteView a : token_attrs) attrs.insert(attrs.end(), a.begin(), a.end());
    Bytes tsi = der::sequence({t.version, t.sid, t.digest_algorithm, t.signed_attrs, t.signature_algorithm, t.signature,
                               token_attrs.empty() ? Bytes{} : der::tlv(0xa1, attrs)});
    Bytes certs;
    for (ByteView x : tsd.certificates) certs.insert(certs.end(), x.begin(), x.end());
    Bytes tsd_der = der::sequence({tsd.version, tsd.digest_algorithms, tsd.encap_content_info, der::tlv(0xa0, certs),
                                   der::tlv(der::tag::set, tsi)});
    Bytes new_token = der::sequence({tsd.content_type, der::tlv(0xa0, tsd_der)});
    Bytes attr = der::sequence({der::oid(oid::archive_timestamp_v3), der::tlv(der::tag::set, new_token)});
    std::vector<ByteView> attrs_of_signer = {sd.signers[0].unsigned_attrs[0], attr};
    std::vector<cms::ArchiveTimestampCheck> r = check(rebuild(sd, sd.certificates, sd.crls, attrs_of_signer));
    BOOST_REQUIRE_EQUAL(r.size(), 1u);
    return r[0];
  };
  BOOST_TEST(with_token_attrs(tsd.signers[0].unsigned_attrs).ok);  // the rebuild itself is faithful
  cms::SignedDataParts bt = parts(s.bt);
  Bytes index = cms::ats_hash_index(bt, bt.signers[0], DigestAlgorithm::sha256);
  // One more certificate hash: SEQUENCE { alg, SEQUENCE OF certs + 1, crls, values }.
  ByteView rest = index;
  der::Element seq;
  BOOST_REQUIRE(der::read(rest, seq));
  ByteView f = seq.content;
  der::Element alg, cert_list, crl_list, value_list;
  BOOST_REQUIRE(der::read(f, alg) && der::read(f, cert_list) && der::read(f, crl_list) && der::read(f, value_list));
  Bytes bogus = der::octet_string(digest_of(DigestAlgorithm::sha256, as_bytes("absent")).value);
  Bytes more_certs = der::tlv(0x30, der::concat({cert_list.content, bogus}));
  Bytes bad_index = der::sequence({alg.whole, more_certs, crl_list.whole, value_list.whole});
  Bytes bad_attr = der::sequence({der::oid(oid::ats_hash_index_v3), der::tlv(der::tag::set, bad_index)});
  cms::ArchiveTimestampCheck r = with_token_attrs({bad_attr});
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("certificate") != std::string::npos, r.error);
  r = with_token_attrs({});
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("no ats-hash-index-v3") != std::string::npos, r.error);
  // A SHA-384 index in a SHA-256 token.
  Bytes wrong_alg = der::sequence({der::sequence({der::oid("2.16.840.1.101.3.4.2.2")}), der::sequence({}), der::sequence({}),
                                   der::sequence({})});
  r = with_token_attrs({der::sequence({der::oid(oid::ats_hash_index_v3), der::tlv(der::tag::set, wrong_alg)})});
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("algorithm") != std::string::npos, r.error);
  // Entries of the wrong size.
  Bytes short_entry = der::sequence({alg.whole, der::sequence({der::octet_string(as_bytes("short"))}), der::sequence({}),
                                     der::sequence({})});
  r = with_token_attrs({der::sequence({der::oid(oid::ats_hash_index_v3), der::tlv(der::tag::set, short_entry)})});
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("size") != std::string::npos, r.error);
  // An index that omits the default SHA-256 is read too (its imprint then differs from the
  // token's: the index is hashed as it is encoded).
  Bytes no_alg = der::sequence({cert_list.whole, crl_list.whole, value_list.whole});
  r = with_token_attrs({der::sequence({der::oid(oid::ats_hash_index_v3), der::tlv(der::tag::set, no_alg)})});
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.error.find("imprint") != std::string::npos, r.error);
}

BOOST_AUTO_TEST_CASE(hostile_input_never_throws_and_never_passes) {
  Lta s;
  // Every truncation and a flipped byte every 7: never an exception, and a changed signed
  // part is never accepted.
  for (std::size_t n = 0; n < s.lta.size(); n += 3) {
    std::vector<cms::ArchiveTimestampCheck> c;
    BOOST_CHECK_NO_THROW(c = check(ByteView(s.lta).first(n)));
    for (const auto& x : c) BOOST_TEST(!x.ok);
  }
  for (std::size_t i = 0; i < s.lta.size(); i += 7) {
    Bytes b = s.lta;
    b[i] ^= 0x5a;
    BOOST_CHECK_NO_THROW(check(b));
  }
  // A changed byte anywhere in the SignerInfo's fields from version to signature is never
  // accepted. (Some bytes are covered by nothing: the SignedData version, the digestAlgorithms
  // hint, the copies of the CA certificates inside the TSA's token.)
  cms::SignedDataParts sd = parts(s.lta);
  const std::size_t from = static_cast<std::size_t>(sd.signers[0].version.data() - s.lta.data());
  const std::size_t to = static_cast<std::size_t>(sd.signers[0].signature.data() + sd.signers[0].signature.size() - s.lta.data());
  for (std::size_t i = from; i < to; i += 5) {
    Bytes b = s.lta;
    b[i] ^= 0x01;
    for (const auto& x : check(b)) BOOST_TEST(!x.ok, "a change at " << i << " passed");
  }
  // The same signature with an indefinite-length outer ContentInfo (BER): OpenSSL reads it,
  // the archive time-stamp is found and reported not checkable.
  ByteView rest = s.lta;
  der::Element outer;
  BOOST_REQUIRE(der::read(rest, outer));
  Bytes ber{0x30, 0x80};
  ber.insert(ber.end(), outer.content.begin(), outer.content.end());
  ber.insert(ber.end(), {0x00, 0x00});
  std::vector<cms::ArchiveTimestampCheck> c = check(ber);
  BOOST_REQUIRE_EQUAL(c.size(), 1u);
  BOOST_TEST(!c[0].ok);
  BOOST_TEST(c[0].error.find("cannot be checked") != std::string::npos, c[0].error);
}

BOOST_AUTO_TEST_CASE(more_than_64_archive_time_stamps_are_not_all_checked) {
  Lta s;
  cms::SignedDataParts sd = parts(s.lta);
  std::vector<ByteView> attrs = sd.signers[0].unsigned_attrs;
  for (int i = 0; i < 70; ++i) attrs.push_back(sd.signers[0].unsigned_attrs[1]);
  std::vector<cms::ArchiveTimestampCheck> c = check(rebuild(sd, sd.certificates, sd.crls, attrs));
  BOOST_REQUIRE_EQUAL(c.size(), 71u);
  BOOST_TEST(c[0].ok, c[0].error);
  BOOST_TEST(c[63].ok, c[63].error);
  BOOST_TEST(!c[64].ok);
  BOOST_TEST(c[64].error.find("more than 64") != std::string::npos, c[64].error);
}

BOOST_AUTO_TEST_SUITE_END()
