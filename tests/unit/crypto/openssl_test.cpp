// The OpenSSL helpers: error draining (no stale errors), fail(), digests, ASN.1 times.
#include <boost/test/unit_test.hpp>

#include <openssl/asn1.h>
#include <openssl/err.h>

#include "common/time.h"
#include "crypto/openssl.h"

using namespace esign;

namespace {

// A real OpenSSL failure: parsing garbage as a certificate.
void cause_an_openssl_error() {
  const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
  const unsigned char* p = junk;
  X509* x = d2i_X509(nullptr, &p, sizeof junk);
  BOOST_REQUIRE(x == nullptr);
  BOOST_REQUIRE(ERR_peek_error() != 0ul);
}

std::chrono::system_clock::time_point time_of(const char* asn1) {
  std::unique_ptr<ASN1_TIME, ossl::Deleter<ASN1_TIME_free>> t(ASN1_TIME_new());
  BOOST_REQUIRE(ASN1_TIME_set_string(t.get(), asn1) == 1);
  return ossl::to_time_point(t.get());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(openssl_helpers)

BOOST_AUTO_TEST_CASE(drain_errors_returns_the_last_reason_and_empties_the_queue) {
  ossl::clear_errors();
  BOOST_TEST(ossl::drain_errors() == "");
  cause_an_openssl_error();
  const std::string reason = ossl::drain_errors();
  BOOST_TEST(!reason.empty());
  BOOST_TEST(ERR_peek_error() == 0ul);
  BOOST_TEST(ossl::drain_errors() == "");
}

BOOST_AUTO_TEST_CASE(clear_errors_empties_the_queue) {
  cause_an_openssl_error();
  ossl::clear_errors();
  BOOST_TEST(ERR_peek_error() == 0ul);
}

BOOST_AUTO_TEST_CASE(fail_throws_the_kind_and_subject_with_openssls_reason) {
  cause_an_openssl_error();
  try {
    ossl::fail(Errc::key, "rsa.p12", "cannot load the key");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::key));
    BOOST_TEST(e.subject() == "rsa.p12");
    BOOST_TEST(e.reason().rfind("cannot load the key: ", 0) == 0u, e.reason());
    BOOST_TEST(e.reason().size() > std::string("cannot load the key: ").size());
    BOOST_TEST(ERR_peek_error() == 0ul, "the queue is drained");
  }
  // Nothing queued: just what failed.
  try {
    ossl::fail(Errc::internal, "x", "plain");
  } catch (const Error& e) {
    BOOST_TEST(e.reason() == "plain");
  }
}

BOOST_AUTO_TEST_CASE(md_for_gives_the_matching_openssl_digest) {
  BOOST_TEST(EVP_MD_get_size(ossl::md_for(DigestAlgorithm::sha256)) == 32);
  BOOST_TEST(EVP_MD_get_size(ossl::md_for(DigestAlgorithm::sha384)) == 48);
  BOOST_TEST(EVP_MD_get_size(ossl::md_for(DigestAlgorithm::sha512)) == 64);
  BOOST_TEST(EVP_MD_get_type(ossl::md_for(DigestAlgorithm::sha384)) == NID_sha384);
}

BOOST_AUTO_TEST_CASE(asn1_times_become_utc_time_points) {
  BOOST_TEST(rfc3339(time_of("20200101000000Z")) == "2020-01-01T00:00:00Z");
  BOOST_TEST(rfc3339(time_of("491231235959Z")) == "2049-12-31T23:59:59Z");  // UTCTime, RFC 5280 §4.1.2.5.1
  BOOST_TEST(rfc3339(time_of("500101000000Z")) == "1950-01-01T00:00:00Z");
  // Year 9999 (certificates without a well-defined expiry, RFC 5280 §4.1.2.5) is clamped, not wrapped.
  const auto far = time_of("99991231235959Z");
  BOOST_TEST((far > time_of("21000101000000Z")));
  BOOST_TEST(rfc3339(far).rfind("2262-", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_missing_time_is_the_epoch) {
  BOOST_TEST(ossl::to_time_point(nullptr).time_since_epoch().count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
