// tsp::check_ocsp and tsp::check_crl on evidence made by `openssl ocsp` (responder mode, from
// the fixture CA's index) and `openssl ca -gencrl`: good and revoked answers, and each flaw that
// must make the evidence unusable.
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "esign/certificate.h"
#include "fixtures.h"
#include "tsp_fixtures.h"
#include "tsp/revocation.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

using tsp_test::pki;
using tsp_test::sh;

Certificate cert(const std::string& name) { return Certificate::load_pem_file(pki(name)).front(); }

// OCSP responses about `rsa` and `revoked`, from the intermediate's `openssl ca` index.
struct Evidence {
  test::TempDir dir;
  std::string d = dir.path().string();
  Evidence() {
    auto respond = [&](const std::string& out, const std::string& cert_file, const std::string& signer,
                       const std::string& key, const std::string& extra) {
      sh("openssl ocsp -issuer " + pki("intermediate.pem") + " -cert " + pki(cert_file) + " " + extra + " -reqout " + d +
         "/" + out + ".req && openssl ocsp -index " + pki("ca/intermediate/index.txt") + " -CA " + pki("intermediate.pem") +
         " -rsigner " + signer + " -rkey " + key + " -reqin " + d + "/" + out + ".req -respout " + d + "/" + out +
         " -nmin 60");
    };
    respond("good.ocsp", "rsa.cert.pem", pki("ocsp.cert.pem"), pki("ocsp.key.pem"), "-no_nonce");
    respond("revoked.ocsp", "revoked.cert.pem", pki("ocsp.cert.pem"), pki("ocsp.key.pem"), "-no_nonce");
    respond("nonce.ocsp", "rsa.cert.pem", pki("ocsp.cert.pem"), pki("ocsp.key.pem"), "");
    // Signed by a certificate the intermediate issued without the OCSPSigning extended key usage.
    respond("unauthorized.ocsp", "rsa.cert.pem", pki("ec256.cert.pem"), pki("ec256.key.pem"), "-no_nonce");
    // Signed by the issuer itself: always authorized.
    respond("by-issuer.ocsp", "rsa.cert.pem", pki("intermediate.pem"), pki("intermediate.key.pem"), "-no_nonce");
    sh("openssl crl -in " + pki("intermediate.crl.pem") + " -outform DER -out " + d + "/intermediate.crl");
  }
  Bytes read(const std::string& name) const {
    std::string s = test::read_file(dir / name);
    return Bytes(s.begin(), s.end());
  }
};

const Evidence& evidence() {
  static const Evidence e;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(revocation)

BOOST_AUTO_TEST_CASE(an_ocsp_response_from_the_delegated_responder_says_good_or_revoked) {
  Certificate issuer = cert("intermediate.pem");
  tsp::StatusCheck good = tsp::check_ocsp(evidence().read("good.ocsp"), cert("rsa.cert.pem").native(), issuer.native());
  BOOST_TEST((good.status == tsp::CertStatus::good), good.detail);
  BOOST_TEST(good.next_update.has_value());
  tsp::StatusCheck revoked =
      tsp::check_ocsp(evidence().read("revoked.ocsp"), cert("revoked.cert.pem").native(), issuer.native());
  BOOST_TEST((revoked.status == tsp::CertStatus::revoked), revoked.detail);
  BOOST_TEST(revoked.detail == "keyCompromise");
  tsp::StatusCheck by_issuer =
      tsp::check_ocsp(evidence().read("by-issuer.ocsp"), cert("rsa.cert.pem").native(), issuer.native());
  BOOST_TEST((by_issuer.status == tsp::CertStatus::good), by_issuer.detail);
}

BOOST_AUTO_TEST_CASE(an_ocsp_response_is_unusable_when_its_responder_is_not_authorized) {
  tsp::StatusCheck s = tsp::check_ocsp(evidence().read("unauthorized.ocsp"), cert("rsa.cert.pem").native(),
                                       cert("intermediate.pem").native());
  BOOST_TEST((s.status == tsp::CertStatus::unknown));
  BOOST_TEST(s.detail.find("OCSPSigning") != std::string::npos, s.detail);
}

BOOST_AUTO_TEST_CASE(an_ocsp_response_about_another_certificate_or_issuer_proves_nothing) {
  Bytes good = evidence().read("good.ocsp");
  tsp::StatusCheck other = tsp::check_ocsp(good, cert("ec256.cert.pem").native(), cert("intermediate.pem").native());
  BOOST_TEST((other.status == tsp::CertStatus::unknown));
  BOOST_TEST(other.detail.find("other certificates") != std::string::npos, other.detail);
  // The responder is certified by the intermediate, not by the root.
  tsp::StatusCheck wrong_issuer = tsp::check_ocsp(good, cert("rsa.cert.pem").native(), cert("root.pem").native());
  BOOST_TEST((wrong_issuer.status == tsp::CertStatus::unknown));
}

BOOST_AUTO_TEST_CASE(a_tampered_or_truncated_ocsp_response_is_unusable) {
  Bytes good = evidence().read("good.ocsp");
  Certificate c = cert("rsa.cert.pem"), issuer = cert("intermediate.pem");
  Bytes flipped = good;
  flipped[flipped.size() / 2] ^= 0x01;
  BOOST_TEST((tsp::check_ocsp(flipped, c.native(), issuer.native()).status == tsp::CertStatus::unknown));
  Bytes truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() - 10));
  BOOST_TEST((tsp::check_ocsp(truncated, c.native(), issuer.native()).status == tsp::CertStatus::unknown));
  BOOST_TEST((tsp::check_ocsp({}, c.native(), issuer.native()).status == tsp::CertStatus::unknown));
}

BOOST_AUTO_TEST_CASE(a_nonce_must_be_the_requests_when_the_responder_echoes_one) {
  Bytes response = evidence().read("nonce.ocsp");
  Certificate c = cert("rsa.cert.pem"), issuer = cert("intermediate.pem");
  Bytes other_nonce(16, 0x42);
  tsp::StatusCheck s = tsp::check_ocsp(response, c.native(), issuer.native(), other_nonce);
  BOOST_TEST((s.status == tsp::CertStatus::unknown));
  BOOST_TEST(s.detail.find("nonce") != std::string::npos, s.detail);
  // Without a nonce to compare (embedded evidence), the response counts.
  BOOST_TEST((tsp::check_ocsp(response, c.native(), issuer.native()).status == tsp::CertStatus::good));
}

BOOST_AUTO_TEST_CASE(the_crl_lists_the_revoked_certificate_and_not_the_others) {
  Bytes crl = evidence().read("intermediate.crl");
  Certificate issuer = cert("intermediate.pem");
  tsp::StatusCheck revoked = tsp::check_crl(crl, cert("revoked.cert.pem").native(), issuer.native());
  BOOST_TEST((revoked.status == tsp::CertStatus::revoked), revoked.detail);
  BOOST_TEST(revoked.detail == "keyCompromise");
  tsp::StatusCheck good = tsp::check_crl(crl, cert("rsa.cert.pem").native(), issuer.native());
  BOOST_TEST((good.status == tsp::CertStatus::good), good.detail);
}

BOOST_AUTO_TEST_CASE(a_crl_from_another_issuer_or_tampered_is_unusable) {
  Bytes crl = evidence().read("intermediate.crl");
  tsp::StatusCheck other = tsp::check_crl(crl, cert("rsa.cert.pem").native(), cert("root.pem").native());
  BOOST_TEST((other.status == tsp::CertStatus::unknown));
  BOOST_TEST(other.detail.find("another CA") != std::string::npos, other.detail);
  Bytes flipped = crl;
  flipped[flipped.size() - 20] ^= 0x01;  // inside the signature value
  tsp::StatusCheck tampered = tsp::check_crl(flipped, cert("rsa.cert.pem").native(), cert("intermediate.pem").native());
  BOOST_TEST((tampered.status == tsp::CertStatus::unknown));
}

BOOST_AUTO_TEST_CASE(a_certificate_without_revocation_pointers_cannot_be_fetched) {
  Certificate c = cert("rsa.cert.pem");
  BOOST_TEST(tsp::ocsp_urls(c.native()).empty());
  BOOST_TEST(tsp::crl_urls(c.native()).empty());
  tsp::Fetched f = tsp::fetch_status(c.native(), cert("intermediate.pem").native());
  BOOST_TEST((f.check.status == tsp::CertStatus::unknown));
  BOOST_TEST(f.source.find("names no OCSP responder") != std::string::npos, f.source);
}

BOOST_AUTO_TEST_CASE(paths_are_built_from_the_pool_up_to_a_self_issued_root) {
  Certificate leaf = cert("rsa.cert.pem"), inter = cert("intermediate.pem"), root = cert("root.pem"),
              stranger = cert("untrusted-root.pem");
  std::vector<X509*> path = tsp::build_path(leaf.native(), {stranger.native(), root.native(), inter.native()});
  BOOST_TEST_REQUIRE(path.size() == 3u);
  BOOST_TEST((path[1] == inter.native() && path[2] == root.native()));
  // Evidence for the leaf only does not cover the path: the intermediate's status is missing.
  tsp::ValidationData data;
  data.crls.push_back(evidence().read("intermediate.crl"));
  BOOST_TEST(tsp::has_status_evidence(data, leaf.native(), inter.native()));
  BOOST_TEST(!tsp::covers_path(data, leaf.native(), {inter.native(), root.native()}));
}

BOOST_AUTO_TEST_SUITE_END()
