// Certificate: DER and PEM parsing (good and bad input), names, serials, fingerprints, validity,
// key usage and key strength, checked against what openssl(1) says about the same files.
#define BOOST_TEST_MODULE crypto
#include <boost/test/unit_test.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>

#include "common/time.h"
#include "crypto_fixtures.h"
#include "esign/error.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

Bytes der_of(const fs::path& pem) {
  const std::string der = test::run("openssl x509 -in '" + pem.string() + "' -outform DER");
  return Bytes(der.begin(), der.end());
}

std::string openssl_field(const fs::path& pem, const std::string& option) {
  std::string out = test::run("openssl x509 -noout " + option + " -in '" + pem.string() + "'");
  out = out.substr(out.find('=') + 1);
  out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c == ':' || c == '\n'; }), out.end());
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Errc input_error_of(ByteView der) {
  try {
    Certificate::from_der(der, "test.der");
  } catch (const Error& e) {
    BOOST_TEST(e.subject() == "test.der");
    BOOST_TEST(ERR_peek_error() == 0ul, "no OpenSSL error is left queued");
    return e.code();
  }
  BOOST_FAIL("accepted");
  return Errc::internal;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(certificate)

BOOST_AUTO_TEST_CASE(der_parses_and_keeps_its_exact_bytes) {
  const Bytes der = der_of(test::pki() / "rsa.cert.pem");
  const Certificate c = Certificate::from_der(der);
  BOOST_TEST(c.der() == der, boost::test_tools::per_element());
  BOOST_TEST(c.native() != nullptr);
}

BOOST_AUTO_TEST_CASE(names_are_rfc_2253_and_the_common_name_is_utf8) {
  const Certificate c = test::load_one(test::pki() / "rsa.cert.pem");
  BOOST_TEST(c.subject() == "CN=Test Signer RSA,O=esign test,C=IN");
  BOOST_TEST(c.issuer() == "CN=Test Intermediate CA,O=esign test,C=IN");
  BOOST_TEST(c.common_name() == "Test Signer RSA");

  test::TempDir dir;
  const Certificate u = test::load_one(test::make_certificate(dir, "utf8", "ec -pkeyopt ec_paramgen_curve:P-256",
                                                              "/C=IN/O=Example, Inc./CN=A\xC5\xA1ha R\xC4\x81o"));
  BOOST_TEST(u.common_name() == "A\xC5\xA1ha R\xC4\x81o");
  BOOST_TEST(u.subject() == "CN=A\xC5\xA1ha R\xC4\x81o,O=Example\\, Inc.,C=IN", "commas escaped, UTF-8 kept as is");
  BOOST_TEST(u.issuer() == u.subject());
}

BOOST_AUTO_TEST_CASE(without_a_common_name_the_whole_subject_names_the_certificate) {
  test::TempDir dir;
  const Certificate c =
      test::load_one(test::make_certificate(dir, "nocn", "ec -pkeyopt ec_paramgen_curve:P-256", "/C=IN/O=Only Org"));
  BOOST_TEST(c.common_name() == "O=Only Org,C=IN");
}

BOOST_AUTO_TEST_CASE(serial_and_fingerprint_match_openssl) {
  for (const char* name : {"rsa.cert.pem", "ec256.cert.pem", "root.pem", "expired.cert.pem"}) {
    const fs::path pem = test::pki() / name;
    const Certificate c = test::load_one(pem);
    BOOST_TEST(c.serial_hex() == openssl_field(pem, "-serial"), name);
    BOOST_TEST(c.sha256_fingerprint() == openssl_field(pem, "-fingerprint -sha256"), name);
    BOOST_TEST(c.sha256_fingerprint().size() == 64u);
  }
  // Different certificates, different fingerprints.
  BOOST_TEST(test::load_one(test::pki() / "rsa.cert.pem").sha256_fingerprint() !=
             test::load_one(test::pki() / "revoked.cert.pem").sha256_fingerprint());
}

BOOST_AUTO_TEST_CASE(validity_is_read_in_utc) {
  const Certificate expired = test::load_one(test::pki() / "expired.cert.pem");
  BOOST_TEST(rfc3339(expired.not_before()) == "2020-01-01T00:00:00Z");
  BOOST_TEST(rfc3339(expired.not_after()) == "2021-01-01T00:00:00Z");
  const Certificate current = test::load_one(test::pki() / "rsa.cert.pem");
  const auto now = std::chrono::system_clock::now();
  BOOST_TEST((current.not_before() < now && now < current.not_after()));
}

BOOST_AUTO_TEST_CASE(bad_der_is_an_input_error_with_the_subject) {
  const Bytes der = der_of(test::pki() / "rsa.cert.pem");
  BOOST_TEST((input_error_of({}) == Errc::input));
  BOOST_TEST((input_error_of(as_bytes("not a certificate at all")) == Errc::input));
  BOOST_TEST((input_error_of(ByteView(der).first(der.size() - 1)) == Errc::input), "truncated");
  BOOST_TEST((input_error_of(ByteView(der).first(40)) == Errc::input), "truncated");
  Bytes tampered = der;
  tampered[0] = 0x31;  // a SET, not a SEQUENCE
  BOOST_TEST((input_error_of(tampered) == Errc::input));
}

// "One DER certificate": bytes after it are not silently dropped.
BOOST_AUTO_TEST_CASE(bytes_after_the_certificate_are_refused) {
  Bytes der = der_of(test::pki() / "rsa.cert.pem");
  der.push_back(0x00);
  BOOST_TEST((input_error_of(der) == Errc::input));
  Bytes two = der_of(test::pki() / "rsa.cert.pem");
  const Bytes second = der_of(test::pki() / "root.pem");
  two.insert(two.end(), second.begin(), second.end());
  BOOST_TEST((input_error_of(two) == Errc::input));
}

BOOST_AUTO_TEST_CASE(pem_files_load_every_certificate_in_order) {
  const std::vector<Certificate> chain = Certificate::load_pem_file(test::pki() / "chain.pem");
  BOOST_REQUIRE_EQUAL(chain.size(), 2u);
  BOOST_TEST(chain[0].common_name() == "Test Intermediate CA");
  BOOST_TEST(chain[1].common_name() == "Test Root CA");
  BOOST_TEST(chain[0].der() == der_of(test::pki() / "intermediate.pem"), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pem_text_around_and_between_certificates_is_skipped) {
  test::TempDir dir;
  const std::string root = test::read_file(test::pki() / "root.pem");
  const std::string key = test::read_file(test::pki() / "rsa.key.pem");
  test::write_file(dir / "mixed.pem", "Subject: a comment openssl writes with -text\n" + key +
                                          test::read_file(test::pki() / "rsa.cert.pem") + "\nbetween\n" + root +
                                          "trailing text\n");
  const std::vector<Certificate> certs = Certificate::load_pem_file(dir / "mixed.pem");
  BOOST_REQUIRE_EQUAL(certs.size(), 2u);
  BOOST_TEST(certs[0].common_name() == "Test Signer RSA");
  BOOST_TEST(certs[1].common_name() == "Test Root CA");
  BOOST_TEST(ERR_peek_error() == 0ul);
}

BOOST_AUTO_TEST_CASE(pem_files_without_certificates_are_input_errors) {
  test::TempDir dir;
  test::write_file(dir / "empty.pem", "");
  test::write_file(dir / "key.pem", test::read_file(test::pki() / "rsa.key.pem"));
  const std::string der = test::read_file(test::pki() / "rsa.p12");
  test::write_file(dir / "binary.pem", der);
  for (const char* name : {"empty.pem", "key.pem", "binary.pem", "missing.pem"}) {
    try {
      Certificate::load_pem_file(dir / name);
      BOOST_ERROR(name << " accepted");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::input), name);
      BOOST_TEST(e.subject() == (dir / name).string());
    }
    BOOST_TEST(ERR_peek_error() == 0ul, name);
  }
}

// A damaged certificate in a chain file is an error, not the end of the file: otherwise the
// chain would silently lose it and everything after it.
BOOST_AUTO_TEST_CASE(a_damaged_certificate_in_a_pem_file_is_an_input_error) {
  test::TempDir dir;
  const std::string first = test::read_file(test::pki() / "intermediate.pem");
  std::string second = test::read_file(test::pki() / "root.pem");
  second[second.size() / 2] = '*';  // not base64
  test::write_file(dir / "damaged.pem", first + second);
  BOOST_CHECK_THROW(Certificate::load_pem_file(dir / "damaged.pem"), Error);
  std::string truncated = test::read_file(test::pki() / "root.pem");
  truncated.erase(truncated.find("-----END"));
  test::write_file(dir / "truncated.pem", first + truncated);
  BOOST_CHECK_THROW(Certificate::load_pem_file(dir / "truncated.pem"), Error);
  BOOST_TEST(ERR_peek_error() == 0ul);
}

BOOST_AUTO_TEST_CASE(from_x509_shares_the_parsed_certificate) {
  const Bytes der = der_of(test::pki() / "ec256.cert.pem");
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  BOOST_REQUIRE(x != nullptr);
  const Certificate c = Certificate::from_x509(x);
  X509_free(x);  // the caller's reference; the certificate keeps its own
  BOOST_TEST(c.der() == der, boost::test_tools::per_element());
  BOOST_TEST(c.common_name() == "Test Signer EC P-256");
  const Certificate copy = c;
  BOOST_TEST(copy.native() == c.native());
}

BOOST_AUTO_TEST_CASE(key_usage_allows_signing_only_with_a_signing_bit_or_without_the_extension) {
  BOOST_TEST(test::load_one(test::pki() / "rsa.cert.pem").key_usage_allows_signing());
  BOOST_TEST(!test::load_one(test::pki() / "nokeyusage.cert.pem").key_usage_allows_signing());
  BOOST_TEST(!test::load_one(test::pki() / "root.pem").key_usage_allows_signing(), "keyCertSign only");
  test::TempDir dir;
  const std::string ec = "ec -pkeyopt ec_paramgen_curve:P-256";
  BOOST_TEST(test::load_one(test::make_certificate(dir, "none", ec, "/CN=none")).key_usage_allows_signing());
  BOOST_TEST(test::load_one(test::make_certificate(dir, "nr", ec, "/CN=nr", "-addext keyUsage=nonRepudiation"))
                 .key_usage_allows_signing());
}

BOOST_AUTO_TEST_CASE(extended_key_usage_decides_what_signs_documents) {
  BOOST_TEST(test::load_one(test::pki() / "rsa.cert.pem").extended_key_usage_allows_document_signing(), "no EKU");
  BOOST_TEST(!test::load_one(test::pki() / "tsa.cert.pem").extended_key_usage_allows_document_signing());
  BOOST_TEST(!test::load_one(test::pki() / "ocsp.cert.pem").extended_key_usage_allows_document_signing());
  test::TempDir dir;
  const std::string ec = "ec -pkeyopt ec_paramgen_curve:P-256";
  struct Case {
    const char* eku;
    bool allowed;
  } cases[] = {{"emailProtection", true},
               {"1.3.6.1.5.5.7.3.36", true},
               {"anyExtendedKeyUsage", true},
               {"1.2.840.113583.1.1.5", true},
               {"1.3.6.1.4.1.311.10.3.12", true},
               {"serverAuth", false},
               {"serverAuth,clientAuth,codeSigning", false},
               {"serverAuth,emailProtection", true}};
  int n = 0;
  for (const Case& c : cases) {
    const fs::path pem =
        test::make_certificate(dir, "eku" + std::to_string(n++), ec, "/CN=eku", std::string("-addext extendedKeyUsage=") + c.eku);
    BOOST_TEST(test::load_one(pem).extended_key_usage_allows_document_signing() == c.allowed, c.eku);
  }
  BOOST_TEST(ERR_peek_error() == 0ul);
}

BOOST_AUTO_TEST_CASE(key_weakness_follows_the_policy) {
  const KeyPolicy standard;
  BOOST_TEST(test::load_one(test::pki() / "rsa.cert.pem").key_weakness(standard) == "");
  BOOST_TEST(test::load_one(test::pki() / "ec256.cert.pem").key_weakness(standard) == "");
  BOOST_TEST(test::load_one(test::pki() / "ec384.cert.pem").key_weakness(standard) == "");
  KeyPolicy strict;
  strict.min_rsa_bits = 3072;
  strict.min_ec_bits = 384;
  BOOST_TEST(test::load_one(test::pki() / "rsa.cert.pem").key_weakness(strict) ==
             "an RSA key of 2048 bits (at least 3072 required)");
  BOOST_TEST(test::load_one(test::pki() / "ec256.cert.pem").key_weakness(strict) ==
             "an elliptic-curve key of 256 bits (at least 384 required)");
  BOOST_TEST(test::load_one(test::pki() / "ec384.cert.pem").key_weakness(strict) == "");

  test::TempDir dir;
  BOOST_TEST(test::load_one(test::make_certificate(dir, "rsa1024", "rsa:1024", "/CN=weak")).key_weakness(standard) ==
             "an RSA key of 1024 bits (at least 2048 required)");
  BOOST_TEST(test::load_one(test::make_certificate(dir, "p224", "ec -pkeyopt ec_paramgen_curve:P-224", "/CN=small"))
                 .key_weakness(standard) == "an elliptic-curve key of 224 bits (at least 256 required)");
  BOOST_TEST(test::load_one(test::make_certificate(dir, "ed25519", "ed25519", "/CN=ed")).key_weakness(strict) == "");
}

BOOST_AUTO_TEST_SUITE_END()
