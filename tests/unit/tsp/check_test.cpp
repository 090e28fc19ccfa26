// tsp::check on tokens made by `openssl ts -reply` and `openssl cms -sign`: good ones pass, every flaw is named.
#define BOOST_TEST_MODULE tsp
#include <boost/test/unit_test.hpp>

#include <openssl/x509.h>

#include <algorithm>
#include <cstdlib>

#include "crypto/openssl.h"
#include "esign/certificate.h"
#include "fixtures.h"
#include "tsp_fixtures.h"
#include "tsp/tsp.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

using tsp_test::pki;
using tsp_test::sh;

// Tokens made once for the whole suite, in one temp folder.
struct Tokens {
  test::TempDir dir;
  std::string data = "the quick brown fox\n";
  Tokens() {
    test::write_file(dir / "data.txt", data);
    test::write_file(dir / "tsa.cnf",
                     "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = " + (dir / "serial").string() +
                         "\ncrypto_device = builtin\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\n"
                         "digests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = yes\n"
                         "ess_cert_id_chain = no\ness_cert_id_alg = sha256\n");
    test::write_file(dir / "serial", "01\n");
    const std::string d = dir.path().string();
    for (const char* alg : {"sha256", "sha512"})
      sh("openssl ts -query -data " + d + "/data.txt -" + alg + " -cert -out " + d + "/" + alg + ".tsq && " +
         "openssl ts -reply -config " + d + "/tsa.cnf -queryfile " + d + "/" + alg + ".tsq -inkey " +
         pki("tsa.key.pem") + " -signer " + pki("tsa.cert.pem") + " -chain " + pki("chain.pem") + " -token_out -out " +
         d + "/" + alg + ".tok");
    // The TSTInfo of the good token, re-signed by other keys / without the ESS attribute.
    sh("openssl cms -verify -noverify -binary -inform DER -in " + d + "/sha256.tok -out " + d + "/tstinfo.der");
    auto resign = [&](const std::string& out, const std::string& key, const std::string& cert, const std::string& extra) {
      sh("openssl cms -sign -binary -nodetach -md sha256 -econtent_type 1.2.840.113549.1.9.16.1.4 " + extra +
         " -in " + d + "/tstinfo.der -inkey " + key + " -signer " + cert + " -certfile " + pki("chain.pem") +
         " -outform DER -out " + d + "/" + out);
    };
    resign("noess.tok", pki("tsa.key.pem"), pki("tsa.cert.pem"), "");
    resign("resigned.tok", pki("tsa.key.pem"), pki("tsa.cert.pem"), "-cades");
    resign("noeku.tok", pki("rsa.key.pem"), pki("rsa.cert.pem"), "-cades");
    // A TSA certificate whose timeStamping EKU is not critical, from the trusted intermediate.
    test::write_file(dir / "ext.cnf", "[ e ]\nbasicConstraints = critical, CA:FALSE\n"
                                      "keyUsage = critical, digitalSignature\nextendedKeyUsage = timeStamping\n");
    sh("openssl req -new -key " + pki("ocsp.key.pem") + " -subj /CN=Lax-TSA -out " + d + "/lax.csr && " +
       "openssl x509 -req -in " + d + "/lax.csr -CA " + pki("intermediate.pem") + " -CAkey " +
       pki("intermediate.key.pem") + " -CAcreateserial -CAserial " + d + "/ca.srl -days 30 -extfile " + d +
       "/ext.cnf -extensions e -out " + d + "/lax.pem");
    resign("lax.tok", pki("ocsp.key.pem"), d + "/lax.pem", "-cades");
  }
  Bytes token(const std::string& name) const {
    std::string s = test::read_file(dir / name);
    return Bytes(s.begin(), s.end());
  }
};

const Tokens& tokens() {
  static const Tokens t;
  return t;
}

ossl::Store store_of(const std::string& pem) {
  ossl::Store store(X509_STORE_new());
  for (const Certificate& c : Certificate::load_pem_file(pem)) X509_STORE_add_cert(store.get(), c.native());
  return store;
}

tsp::TokenCheck check(const std::string& token, const std::string& data, const std::string& trust = "chain.pem") {
  ossl::Store store = store_of(pki(trust));
  return tsp::check(tokens().token(token), as_bytes(data), store.get());
}

}  // namespace

BOOST_AUTO_TEST_CASE(openssl_token_over_the_data_checks_with_its_time_and_tsa) {
  tsp::TokenCheck c = check("sha256.tok", tokens().data);
  BOOST_TEST(c.ok, c.error);
  BOOST_TEST(c.tsa.find("CN=Test TSA") != std::string::npos, c.tsa);
  BOOST_TEST(c.tsa_fingerprint == Certificate::load_pem_file(pki("tsa.cert.pem")).front().sha256_fingerprint());
  auto age = std::chrono::system_clock::now() - c.time;
  BOOST_TEST((age > std::chrono::minutes(-5) && age < std::chrono::minutes(30)));
}

BOOST_AUTO_TEST_CASE(the_data_is_hashed_with_the_tokens_own_algorithm) {
  tsp::TokenCheck c = check("sha512.tok", tokens().data);
  BOOST_TEST(c.ok, c.error);
}

BOOST_AUTO_TEST_CASE(other_data_fails_the_imprint) {
  tsp::TokenCheck c = check("sha256.tok", tokens().data + "x");
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.error.find("imprint") != std::string::npos, c.error);
}

BOOST_AUTO_TEST_CASE(a_tsa_from_an_untrusted_root_fails_the_chain) {
  tsp::TokenCheck c = check("sha256.tok", tokens().data, "untrusted-root.pem");
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.error.find("not trusted") != std::string::npos, c.error);
}

BOOST_AUTO_TEST_CASE(no_trust_store_is_a_failure_not_a_pass) {
  tsp::TokenCheck c = tsp::check(tokens().token("sha256.tok"), as_bytes(tokens().data), nullptr);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.error.find("trust") != std::string::npos, c.error);
}

// Every byte of the TSTInfo (imprint, time, nonce, policy...) and of the RSA signature value (the
// last 256) is covered. (Unsigned parts need not be: the SignedData version, the digestAlgorithms
// hint, or a changed copy of the root in the certificate bag, which the trust store's replaces.)
BOOST_AUTO_TEST_CASE(a_changed_byte_in_the_tstinfo_or_the_signature_fails_without_throwing) {
  Bytes good = tokens().token("sha256.tok");
  Bytes tst = tokens().token("tstinfo.der");
  auto at = std::search(good.begin(), good.end(), tst.begin(), tst.end());
  BOOST_REQUIRE(at != good.end());
  std::size_t tst_begin = static_cast<std::size_t>(at - good.begin());
  ossl::Store store = store_of(pki("chain.pem"));
  auto flip_fails = [&](std::size_t i) {
    Bytes bad = good;
    bad[i] ^= 0x01;
    tsp::TokenCheck c = tsp::check(bad, as_bytes(tokens().data), store.get());
    BOOST_TEST(!c.ok, "byte " << i << " flipped still checks");
    BOOST_TEST(!c.error.empty());
  };
  for (std::size_t i = tst_begin; i < tst_begin + tst.size(); ++i) flip_fails(i);
  for (std::size_t i = good.size() - 256; i < good.size(); i += 5) flip_fails(i);
}

BOOST_AUTO_TEST_CASE(truncated_and_empty_tokens_fail) {
  Bytes good = tokens().token("sha256.tok");
  ossl::Store store = store_of(pki("chain.pem"));
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, good.size() / 2, good.size() - 1}) {
    tsp::TokenCheck c = tsp::check(ByteView(good.data(), n), as_bytes(tokens().data), store.get());
    BOOST_TEST(!c.ok);
    BOOST_TEST(!c.error.empty());
  }
}

BOOST_AUTO_TEST_CASE(the_same_tstinfo_resigned_by_the_tsa_with_ess_checks) {
  tsp::TokenCheck c = check("resigned.tok", tokens().data);
  BOOST_TEST(c.ok, c.error);
}

BOOST_AUTO_TEST_CASE(a_token_without_the_ess_signing_certificate_fails) {
  tsp::TokenCheck c = check("noess.tok", tokens().data);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.error.find("ESS") != std::string::npos, c.error);
}

BOOST_AUTO_TEST_CASE(a_signer_without_the_timestamping_eku_fails) {
  tsp::TokenCheck c = check("noeku.tok", tokens().data);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.error.find("extendedKeyUsage") != std::string::npos, c.error);
}

BOOST_AUTO_TEST_CASE(a_non_critical_timestamping_eku_fails) {
  tsp::TokenCheck c = check("lax.tok", tokens().data);
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.error.find("not critical") != std::string::npos, c.error);
}
