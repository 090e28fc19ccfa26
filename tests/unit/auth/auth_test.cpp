// Unit tests of the auth building blocks against their RFCs: HOTP/TOTP, base32, scrypt hashes.
#define BOOST_TEST_MODULE auth
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "auth/internal.h"
#include "esign/auth.h"
#include "esign/error.h"

using namespace esign;

namespace {
const std::string kRfcKey = "12345678901234567890";  // RFC 4226 Appendix D, RFC 6238 Appendix B (SHA-1)
}

BOOST_AUTO_TEST_SUITE(totp)

BOOST_AUTO_TEST_CASE(hotp_matches_rfc4226_appendix_d) {
  const char* want[] = {"755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t i = 0; i < 10; ++i) BOOST_TEST(hotp(as_bytes(kRfcKey), i) == want[i]);
}

BOOST_AUTO_TEST_CASE(totp_matches_rfc6238_appendix_b_sha1_vectors) {
  struct Vector {
    std::int64_t time;
    const char* code;
  };
  const Vector vectors[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                            {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const Vector& v : vectors) {
    // T = floor(time / 30) (RFC 6238 §4.2). 20000000000 s is past what a nanosecond clock holds,
    // so totp_step() is checked on the others.
    BOOST_TEST(hotp(as_bytes(kRfcKey), static_cast<std::uint64_t>(v.time / 30), 8) == v.code);
    if (v.time < 9'000'000'000)
      BOOST_TEST(totp_step(std::chrono::system_clock::time_point(std::chrono::seconds(v.time))) == v.time / 30);
  }
}

BOOST_AUTO_TEST_CASE(a_code_is_accepted_one_step_either_side_and_not_two) {
  const std::string key = "0123456789abcdefghij";
  const std::int64_t now = totp_step(std::chrono::system_clock::now());
  // Near a step boundary the clock may move on between computing and checking: retry once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::int64_t step = totp_step(std::chrono::system_clock::now());
    bool ok = auth::check_totp(as_bytes(key), hotp(as_bytes(key), static_cast<std::uint64_t>(step - 1))) == step - 1 &&
              auth::check_totp(as_bytes(key), hotp(as_bytes(key), static_cast<std::uint64_t>(step + 1))) == step + 1 &&
              auth::check_totp(as_bytes(key), hotp(as_bytes(key), static_cast<std::uint64_t>(step))) == step &&
              !auth::check_totp(as_bytes(key), hotp(as_bytes(key), static_cast<std::uint64_t>(step + 3))) &&
              !auth::check_totp(as_bytes(key), hotp(as_bytes(key), static_cast<std::uint64_t>(step - 3)));
    if (ok) return;
  }
  BOOST_FAIL("codes around step " << now << " were not judged as expected");
}

BOOST_AUTO_TEST_CASE(malformed_codes_are_wrong_codes) {
  BOOST_TEST(!auth::check_totp(as_bytes(kRfcKey), ""));
  BOOST_TEST(!auth::check_totp(as_bytes(kRfcKey), "12345"));
  BOOST_TEST(!auth::check_totp(as_bytes(kRfcKey), "12345a"));
  BOOST_TEST(!auth::check_totp(as_bytes(kRfcKey), "1234567"));
}

BOOST_AUTO_TEST_CASE(otpauth_uri_names_issuer_and_user) {
  BOOST_TEST(otpauth_uri("asha", "ABC") == "otpauth://totp/esign:asha?secret=ABC&issuer=esign");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(base32)

BOOST_AUTO_TEST_CASE(encodes_rfc4648_vectors_without_padding) {
  BOOST_TEST(base32_encode(as_bytes("")) == "");
  BOOST_TEST(base32_encode(as_bytes("f")) == "MY");
  BOOST_TEST(base32_encode(as_bytes("fo")) == "MZXQ");
  BOOST_TEST(base32_encode(as_bytes("foo")) == "MZXW6");
  BOOST_TEST(base32_encode(as_bytes("foob")) == "MZXW6YQ");
  BOOST_TEST(base32_encode(as_bytes("fooba")) == "MZXW6YTB");
  BOOST_TEST(base32_encode(as_bytes("foobar")) == "MZXW6YTBOI");
}

BOOST_AUTO_TEST_CASE(decodes_padded_lower_case_and_spaced_text) {
  auto text = [](const Bytes& b) { return std::string(b.begin(), b.end()); };
  BOOST_TEST(text(base32_decode("MZXW6YTBOI======")) == "foobar");
  BOOST_TEST(text(base32_decode("mzxw 6ytb oi")) == "foobar");
  BOOST_TEST(text(base32_decode(base32_encode(as_bytes(kRfcKey)))) == kRfcKey);
  BOOST_CHECK_THROW(base32_decode("MZXW1"), Error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(password)

BOOST_AUTO_TEST_CASE(a_hash_verifies_its_password_and_rejects_others) {
  const std::string h = hash_password(Secret("correct horse battery"), 10);
  BOOST_TEST(h.rfind("$scrypt$ln=10,r=8,p=1$", 0) == 0);
  BOOST_TEST(h.find("correct") == std::string::npos);
  BOOST_TEST(verify_password(Secret("correct horse battery"), h));
  BOOST_TEST(!verify_password(Secret("correct horse batterz"), h));
  BOOST_TEST(!verify_password(Secret(""), h));
}

BOOST_AUTO_TEST_CASE(every_hash_has_its_own_salt) {
  BOOST_TEST(hash_password(Secret("same password!"), 10) != hash_password(Secret("same password!"), 10));
}

BOOST_AUTO_TEST_CASE(the_default_cost_is_owasps_and_works) {
  AuthConfig defaults;
  BOOST_TEST(defaults.scrypt_log2_n == 17);
  const std::string h = hash_password(Secret("correct horse battery"), defaults.scrypt_log2_n);
  BOOST_TEST(h.rfind("$scrypt$ln=17,r=8,p=1$", 0) == 0);
  BOOST_TEST(verify_password(Secret("correct horse battery"), h));
}

BOOST_AUTO_TEST_CASE(malformed_or_altered_hash_strings_never_verify) {
  const std::string h = hash_password(Secret("pw-pw-pw-pw-pw"), 10);
  BOOST_TEST(!verify_password(Secret("pw-pw-pw-pw-pw"), ""));
  BOOST_TEST(!verify_password(Secret("pw-pw-pw-pw-pw"), "$pbkdf2$" + h.substr(8)));
  std::string cheaper = h;
  cheaper.replace(cheaper.find("ln=10"), 5, "ln=9");  // below the floor
  BOOST_TEST(!verify_password(Secret("pw-pw-pw-pw-pw"), cheaper));
  std::string flipped = h;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  BOOST_TEST(!verify_password(Secret("pw-pw-pw-pw-pw"), flipped));
  BOOST_CHECK_THROW(hash_password(Secret("x"), 9), Error);
}

BOOST_AUTO_TEST_CASE(recovery_codes_are_80_bits_and_hash_normalized) {
  const std::string c = auth::new_recovery_code();
  BOOST_TEST(c.size() == 19u);  // 16 characters in groups of 4
  BOOST_TEST(auth::new_recovery_code() != c);
  std::string upper = c;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  upper.erase(std::remove(upper.begin(), upper.end(), '-'), upper.end());
  BOOST_TEST(auth::recovery_code_hash(upper) == auth::recovery_code_hash(c));
  BOOST_TEST(auth::recovery_code_hash(c).find(c) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
