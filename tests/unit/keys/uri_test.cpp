// RFC 7512 pkcs11: URIs as esign reads them through p11-kit: what a profile's key.uri may say,
// and every way it is refused (with Errc::config and the profile as subject).
#define BOOST_TEST_MODULE keys_uri
#include <boost/test/unit_test.hpp>

#include "esign/error.h"
#include "keys/pkcs11_uri.h"

using namespace esign;
using esign::pkcs11::parse_uri;

namespace {
const std::string kSubject = "profiles/token.yaml";

// The message of the config error parse_uri throws for `text`; fails the test if it does not throw.
std::string refusal(const std::string& text) {
  try {
    parse_uri(text, kSubject);
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::config));
    BOOST_TEST(e.subject() == kSubject);
    return e.what();
  }
  BOOST_FAIL("accepted: " + text);
  return {};
}
}  // namespace

BOOST_AUTO_TEST_CASE(token_and_object_attributes) {
  auto uri = parse_uri("pkcs11:token=esign%20demo;manufacturer=SoftHSM%20project;serial=0123abcd;model=SoftHSM%20v2;"
                       "object=seal;id=%01%02%ff;type=private",
                       kSubject);
  BOOST_TEST(uri.token == "esign demo");
  BOOST_TEST(uri.manufacturer == "SoftHSM project");
  BOOST_TEST(uri.serial == "0123abcd");
  BOOST_TEST(uri.model == "SoftHSM v2");
  BOOST_TEST(uri.object == "seal");
  BOOST_TEST(uri.id == (Bytes{0x01, 0x02, 0xff}), boost::test_tools::per_element());
  BOOST_TEST(uri.module_path.empty());
}

BOOST_AUTO_TEST_CASE(only_what_is_named_narrows) {
  auto uri = parse_uri("pkcs11:id=%2a", kSubject);
  BOOST_TEST(uri.token.empty());
  BOOST_TEST(uri.manufacturer.empty());
  BOOST_TEST(uri.serial.empty());
  BOOST_TEST(uri.object.empty());
  BOOST_TEST(uri.id == Bytes{0x2a}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(module_path_query) {
  auto uri = parse_uri("pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so", kSubject);
  BOOST_TEST(uri.module_path == "/usr/lib/softhsm/libsofthsm2.so");
  BOOST_TEST(uri.object == "k");
}

BOOST_AUTO_TEST_CASE(slot_and_library_attributes_are_accepted) {
  auto uri = parse_uri("pkcs11:library-manufacturer=SoftHSM;slot-id=3;slot-description=x;token=t;object=k", kSubject);
  BOOST_TEST(uri.token == "t");
}

BOOST_AUTO_TEST_CASE(a_pin_never_lives_in_the_uri) {
  BOOST_TEST(refusal("pkcs11:token=t;object=k?pin-value=1234").find("PIN") != std::string::npos);
  BOOST_TEST(refusal("pkcs11:token=t;object=k?pin-source=file:/tmp/pin").find("PIN") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_uris) {
  BOOST_TEST(refusal("token=t;object=k").find("pkcs11:") != std::string::npos);
  BOOST_TEST(refusal("pkcs11:token=t;object=%zz").find("malformed") != std::string::npos);
  BOOST_TEST(refusal("pkcs11:token=t;object=k%4").find("malformed") != std::string::npos);
  BOOST_TEST(refusal(std::string("pkcs11:object=a\0b", 17)).find("NUL") != std::string::npos);
  // CK_TOKEN_INFO.label holds 32 bytes: p11-kit counts a longer value as not recognized.
  BOOST_TEST(refusal("pkcs11:token=" + std::string(40, 'x') + ";object=k").find("32 bytes") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_attributes_are_refused) {
  BOOST_TEST(refusal("pkcs11:token=t;object=k;colour=red").find("does not know") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_uri_must_name_a_key) {
  BOOST_TEST(refusal("pkcs11:token=t").find("object= or id=") != std::string::npos);
  BOOST_TEST(refusal("pkcs11:").find("object= or id=") != std::string::npos);
}
