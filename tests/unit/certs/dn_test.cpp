// parse_dn: both subject forms, escapes, and the mistakes operators make, each a usage error.
#define BOOST_TEST_MODULE certs
#include <boost/test/unit_test.hpp>

#include <openssl/x509.h>

#include "certs/dn.h"
#include "esign/certs.h"
#include "esign/error.h"

using namespace esign;

namespace {

std::string joined(const std::vector<DnAttribute>& dn) {
  std::string s;
  for (const DnAttribute& a : dn) s += "[" + a.type + "=" + a.value + "]";
  return s;
}

// The RFC 2253 text OpenSSL prints for the X509_NAME esign builds.
std::string printed(const std::string& dn) {
  certs::Name name = certs::to_x509_name(parse_dn(dn), dn);
  BIO* mem = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(mem, name.get(), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(mem, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(mem);
  return out;
}

void usage_error(const std::string& dn, const std::string& words) {
  try {
    parse_dn(dn);
    BOOST_FAIL("accepted: " + dn);
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::usage));
    BOOST_TEST(std::string(e.what()).find(words) != std::string::npos, e.what());
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(openssl_form_keeps_the_written_order_most_significant_first) {
  BOOST_TEST(joined(parse_dn("/C=IN/O=Acme Ltd/CN=Asha Rao")) == "[C=IN][O=Acme Ltd][CN=Asha Rao]");
  BOOST_TEST(printed("/C=IN/O=Acme Ltd/CN=Asha Rao") == "CN=Asha Rao,O=Acme Ltd,C=IN");
}

BOOST_AUTO_TEST_CASE(rfc4514_form_is_reversed_into_der_order) {
  BOOST_TEST(joined(parse_dn("CN=Asha Rao,O=Acme Ltd,C=IN")) == "[C=IN][O=Acme Ltd][CN=Asha Rao]");
  BOOST_TEST(printed("CN=Asha Rao, O=Acme Ltd, C=IN") == "CN=Asha Rao,O=Acme Ltd,C=IN");
}

BOOST_AUTO_TEST_CASE(both_forms_give_the_same_name) {
  BOOST_TEST(printed("/C=IN/O=Acme/OU=Legal/CN=Seal") == printed("CN=Seal,OU=Legal,O=Acme,C=IN"));
}

BOOST_AUTO_TEST_CASE(rfc4514_escapes_are_resolved) {
  BOOST_TEST(joined(parse_dn("CN=Rao\\, Asha,O=A\\+B\\;C")) == "[O=A+B;C][CN=Rao, Asha]");
  BOOST_TEST(joined(parse_dn("CN=Caf\\C3\\A9")) == "[CN=Caf\xC3\xA9]");
  BOOST_TEST(joined(parse_dn("CN=\\ padded\\ ")) == "[CN= padded ]");
  BOOST_TEST(joined(parse_dn("CN=quote\\\"s and \\\\")) == "[CN=quote\"s and \\]");
}

BOOST_AUTO_TEST_CASE(openssl_form_escapes_any_character) {
  BOOST_TEST(joined(parse_dn("/O=A\\/B/CN=x=y")) == "[O=A/B][CN=x=y]");
}

BOOST_AUTO_TEST_CASE(oids_and_long_names_are_types) {
  BOOST_TEST(joined(parse_dn("2.5.4.3=Seal,emailAddress=a@b.example")) == "[emailAddress=a@b.example][2.5.4.3=Seal]");
}

BOOST_AUTO_TEST_CASE(mistakes_are_usage_errors_that_say_what_is_wrong) {
  usage_error("", "empty");
  usage_error("   ", "empty");
  usage_error("CN=Asha,Acme", "has no '=value'");
  usage_error("CN=", "empty value");
  usage_error("XYZ=1,CN=a", "unknown attribute type 'XYZ'");
  usage_error("CN=a+O=b", "multi-valued");
  usage_error("CN=a\\", "escapes nothing");
  usage_error("CN=\\q", "not an RFC 4514 escape");
  usage_error("CN=#04024869", "hex-encoded");
  usage_error("/CN=a/=b", "no type");
}

BOOST_AUTO_TEST_CASE(values_openssl_refuses_are_usage_errors) {
  try {
    printed("C=India,CN=x");
    BOOST_FAIL("a three-letter country was accepted");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::usage));
  }
}

BOOST_AUTO_TEST_CASE(key_types_parse_and_print) {
  for (const char* t : {"rsa2048", "rsa3072", "p256", "p384"}) BOOST_TEST(to_string(parse_key_type(t)) == t);
  BOOST_CHECK_THROW(parse_key_type("rsa1024"), Error);
}
