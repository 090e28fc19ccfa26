// Hex and base64: RFC 4648 vectors, every byte value, and OpenSSL's encoder as a second opinion.
#define BOOST_TEST_MODULE common
#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

#include <random>
#include <string>

#include "esign/bytes.h"

using namespace esign;

namespace {

Bytes bytes(std::initializer_list<int> list) {
  Bytes out;
  for (int b : list) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

std::string openssl_base64(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bytes_conversions)

BOOST_AUTO_TEST_CASE(to_hex_is_lower_case_two_digits_per_byte) {
  BOOST_TEST(to_hex({}) == "");
  BOOST_TEST(to_hex(bytes({0x00, 0x0f, 0xf0, 0xff, 0xa5, 0x5a})) == "000ff0ffa55a");
}

BOOST_AUTO_TEST_CASE(from_hex_reads_either_case_and_round_trips_every_byte) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  Bytes back;
  BOOST_REQUIRE(from_hex(to_hex(all), back));
  BOOST_TEST(back == all, boost::test_tools::per_element());
  std::string upper = to_hex(all);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  BOOST_REQUIRE(from_hex(upper, back));
  BOOST_TEST(back == all, boost::test_tools::per_element());
  BOOST_REQUIRE(from_hex("aBcD", back));
  BOOST_TEST(back == bytes({0xab, 0xcd}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(from_hex_replaces_what_out_held) {
  Bytes out = bytes({1, 2, 3, 4});
  BOOST_REQUIRE(from_hex("ff", out));
  BOOST_TEST(out == bytes({0xff}), boost::test_tools::per_element());
  BOOST_REQUIRE(from_hex("", out));
  BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(from_hex_refuses_odd_counts_and_non_hex_characters) {
  Bytes out;
  for (const char* bad : {"0", "abc", "0g", "g0", "0x00", " 00", "00 ", "0-", "zz", "\xff\xff"})
    BOOST_TEST(!from_hex(bad, out), "'" << bad << "' was accepted");
  // A NUL inside the view is a character like any other.
  BOOST_TEST(!from_hex(std::string_view("0\0", 2), out));
}

// RFC 4648 §10.
BOOST_AUTO_TEST_CASE(base64_matches_the_rfc_4648_vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    BOOST_TEST(base64_encode(as_bytes(plain)) == encoded);
    std::string url = encoded;
    url.erase(url.find_last_not_of('=') + 1);
    BOOST_TEST(base64url_encode(as_bytes(plain)) == url, "base64url of '" << plain << "'");
  }
}

BOOST_AUTO_TEST_CASE(base64url_uses_the_url_alphabet_without_padding) {
  const Bytes data = bytes({0xfb, 0xff, 0xbf});
  BOOST_TEST(base64_encode(data) == "+/+/");
  BOOST_TEST(base64url_encode(data) == "-_-_");
  BOOST_TEST(base64_encode(bytes({0xfb, 0xff})) == "+/8=");
  BOOST_TEST(base64url_encode(bytes({0xfb, 0xff})) == "-_8");
}

BOOST_AUTO_TEST_CASE(base64_agrees_with_openssl_for_random_data_of_every_length_mod_3) {
  std::mt19937 rng(20240601);
  for (std::size_t len = 0; len < 200; ++len) {
    Bytes data(len);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    BOOST_TEST(base64_encode(data) == openssl_base64(data), "length " << len);
  }
}

BOOST_AUTO_TEST_CASE(as_bytes_and_as_chars_view_the_same_memory) {
  const std::string s("a\0b\xff", 4);
  ByteView b = as_bytes(s);
  BOOST_TEST(b.size() == 4u);
  BOOST_TEST(static_cast<const void*>(b.data()) == static_cast<const void*>(s.data()));
  BOOST_TEST(b[3] == 0xff);
  BOOST_TEST(as_chars(b) == std::string_view(s));
}

BOOST_AUTO_TEST_SUITE_END()
