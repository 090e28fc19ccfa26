// The accepted algorithms of esign decrypt: content ciphers, AES-GCM tag lengths (RFC 5084), and
// key transport OIDs that OpenSSL would open but esign refuses, with no output left behind.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>

#include "der/der.h"
#include "envelope/algorithms.h"
#include "esign/envelope.h"
#include "esign/error.h"
#include "esign/output.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const char* kAes256Gcm = "2.16.840.1.101.3.4.1.46";
const char* kAes256Cbc = "2.16.840.1.101.3.4.1.42";
const char* kFile = "hostile.p7m";

// aes-256-gcm's AlgorithmIdentifier with a 12-byte nonce and `icv` as aes-ICVlen (absent: DEFAULT 12).
Bytes gcm_algorithm(std::optional<Bytes> icv) {
  Bytes params = icv ? der::sequence({der::octet_string(Bytes(12, 0x11)), *icv})
                     : der::sequence({der::octet_string(Bytes(12, 0x11))});
  return der::sequence({der::oid(kAes256Gcm), params});
}
Bytes icv(int n) { return der::small_integer(n); }
Bytes mac(std::size_t n) { return der::octet_string(Bytes(n, 0x22)); }

// The reason check() refuses with, or "" when it accepts.
template <class F>
std::string refusal(F check) {
  try {
    check();
    return "";
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::input));
    BOOST_TEST(e.subject() == kFile);
    return e.reason();
  }
}

std::string tag_refusal(const Bytes& algorithm, const Bytes& tag) {
  return refusal([&] { envelope::check_gcm_tag(algorithm, tag, kFile); });
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(gcm_tags_of_12_to_16_bytes_as_long_as_aes_icvlen_pass) {
  for (int n = 12; n <= 16; ++n) BOOST_TEST(tag_refusal(gcm_algorithm(icv(n)), mac(n)) == "");
  BOOST_TEST(tag_refusal(gcm_algorithm(std::nullopt), mac(12)) == "");  // aes-ICVlen DEFAULT 12
}

BOOST_AUTO_TEST_CASE(gcm_tags_outside_12_to_16_bytes_are_refused_even_when_aes_icvlen_agrees) {
  for (int n : {0, 1, 4, 8, 11, 17, 32}) {
    std::string why = tag_refusal(gcm_algorithm(icv(n)), mac(n));
    BOOST_TEST(contains(why, "tag is " + std::to_string(n) + " bytes long"), why);
    BOOST_TEST(contains(why, "12 to 16"), why);
  }
}

BOOST_AUTO_TEST_CASE(a_gcm_tag_unlike_aes_icvlen_is_refused) {
  std::string why = tag_refusal(gcm_algorithm(icv(12)), mac(16));
  BOOST_TEST(contains(why, "16 bytes long but the parameters declare 12"), why);
  why = tag_refusal(gcm_algorithm(std::nullopt), mac(16));  // the DEFAULT is 12
  BOOST_TEST(contains(why, "declare 12"), why);
  why = tag_refusal(gcm_algorithm(icv(16)), mac(13));
  BOOST_TEST(contains(why, "13 bytes long but the parameters declare 16"), why);
}

BOOST_AUTO_TEST_CASE(an_aes_icvlen_outside_12_to_16_is_refused) {
  for (const Bytes& bad : {icv(4), icv(17), icv(-16), der::tlv(der::tag::integer, Bytes{0x01, 0x00}),
                           der::tlv(der::tag::integer, Bytes{0x01, 0, 0, 0, 0x10})}) {
    std::string why = tag_refusal(gcm_algorithm(bad), mac(16));
    BOOST_TEST(contains(why, "aes-ICVlen"), why);
    BOOST_TEST(contains(why, "12 to 16"), why);
  }
}

BOOST_AUTO_TEST_CASE(malformed_gcm_parameters_and_tags_are_refused) {
  Bytes no_params = der::sequence({der::oid(kAes256Gcm)});
  BOOST_TEST(tag_refusal(no_params, mac(16)) != "");
  Bytes trailing = der::sequence(
      {der::oid(kAes256Gcm), der::sequence({der::octet_string(Bytes(12, 1)), icv(16), der::null()})});
  BOOST_TEST(tag_refusal(trailing, mac(16)) != "");
  BOOST_TEST(tag_refusal(gcm_algorithm(icv(16)), der::small_integer(16)) != "");  // not an OCTET STRING
}

BOOST_AUTO_TEST_CASE(content_ciphers_are_aes_cbc_in_enveloped_and_aes_gcm_in_auth_enveloped_data) {
  auto check = [](const char* oid, bool authenticated) {
    return refusal([&] {
      envelope::check_content_algorithm(der::sequence({der::oid(oid), der::octet_string(Bytes(16, 0))}), authenticated,
                                        kFile);
    });
  };
  BOOST_TEST(envelope::check_content_algorithm(gcm_algorithm(icv(16)), true, kFile) == "aes-256-gcm");
  BOOST_TEST(envelope::check_content_algorithm(der::sequence({der::oid(kAes256Cbc), der::octet_string(Bytes(16, 0))}),
                                               false, kFile) == "aes-256-cbc");
  for (const char* oid : {"2.16.840.1.101.3.4.1.2", "2.16.840.1.101.3.4.1.22"}) BOOST_TEST(check(oid, false) == "");
  for (const char* oid : {"2.16.840.1.101.3.4.1.6", "2.16.840.1.101.3.4.1.26"}) BOOST_TEST(check(oid, true) == "");
  BOOST_TEST(contains(check(kAes256Cbc, true), "not accepted in AuthEnvelopedData"));
  BOOST_TEST(contains(check(kAes256Gcm, false), "not accepted in EnvelopedData"));
  std::string why = check("1.2.840.113549.3.7", false);  // des-ede3-cbc, openssl cms -encrypt's default
  BOOST_TEST(contains(why, "des-ede3-cbc (1.2.840.113549.3.7) is not accepted"), why);
  BOOST_TEST(contains(why, "aes-128-cbc, aes-192-cbc, aes-256-cbc"), why);
  BOOST_TEST(contains(check("2.16.840.1.101.3.4.1.47", true), "2.16.840.1.101.3.4.1.47"));  // aes-256-ccm
  BOOST_TEST(contains(check("1.2.3.4.5", true), "1.2.3.4.5 is not accepted"));
}

// A file encrypted by esign whose key transport OID is replaced (same length, so no re-encoding)
// by another: OpenSSL 3.0 would decrypt such a recipient as PKCS#1 v1.5 and write the content.
BOOST_AUTO_TEST_CASE(a_key_transport_oid_not_on_the_list_is_refused_and_leaves_no_output) {
  test::TempDir dir;
  const fs::path pki = test::fixtures("envelope") / "pki";
  std::string data(5000, 'x');
  test::write_file(dir / "data.bin", data);
  EncryptOptions o;
  o.recipients = {pki / "nokeyusage.cert.pem"};
  o.compat = true;  // rsaEncryption
  encrypt_file(dir / "data.bin", dir / "good.p7m", o);
  const Profile profile = load_profile((pki / "nokeyusage.yaml").string());

  const std::string rsa_encryption("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 11);
  // 1.2.840.113549.1.1.10 (RSASSA-PSS, which OpenSSL knows) and 1.2.840.113549.1.1.99 (nothing).
  for (char last : {'\x0a', '\x63'}) {
    std::string p7m = test::read_file(dir / "good.p7m");
    auto at = p7m.find(rsa_encryption);
    BOOST_REQUIRE(at != std::string::npos);
    BOOST_REQUIRE(p7m.find(rsa_encryption, at + 1) == std::string::npos);
    p7m[at + rsa_encryption.size() - 1] = last;
    test::write_file(dir / "hostile.p7m", p7m);
    try {
      decrypt_file(profile, SecretResolver(), dir / "hostile.p7m", dir / "out.bin", false);
      BOOST_FAIL("an envelope with an unknown key transport algorithm decrypted");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::input));
      BOOST_TEST(e.subject() == (dir / "hostile.p7m").string());
      BOOST_TEST(contains(e.reason(), "recipient 1: key transport algorithm"), e.reason());
      BOOST_TEST(contains(e.reason(), last == '\x0a' ? "1.2.840.113549.1.1.10" : "1.2.840.113549.1.1.99"), e.reason());
      BOOST_TEST(contains(e.reason(), "rsaEncryption, id-RSAES-OAEP"), e.reason());
    }
    BOOST_TEST(!fs::exists(dir / "out.bin"));
  }
  for (const auto& e : fs::directory_iterator(dir.path())) BOOST_TEST(!is_temporary_output(e.path()));
  // The untouched file still opens.
  decrypt_file(profile, SecretResolver(), dir / "good.p7m", dir / "out.bin", false);
  BOOST_TEST(test::read_file(dir / "out.bin") == data);
}
