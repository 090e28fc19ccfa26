// DER encoding and the bounded decoder used on hostile signatures.
#define BOOST_TEST_MODULE cms
#include <boost/test/unit_test.hpp>

#include "der/der.h"

using namespace esign;

BOOST_AUTO_TEST_CASE(oids_encode_and_decode_as_x690_says) {
  Bytes sha256 = der::oid("2.16.840.1.101.3.4.2.1");
  BOOST_TEST(to_hex(sha256) == "0609608648016503040201");
  ByteView in(sha256);
  der::Element e;
  BOOST_REQUIRE(der::read(in, e));
  BOOST_TEST(der::oid_string(e.content) == "2.16.840.1.101.3.4.2.1");
  BOOST_TEST(in.empty());
}

BOOST_AUTO_TEST_CASE(long_lengths_use_the_minimal_form) {
  Bytes content(300, 0xab);
  Bytes t = der::tlv(der::tag::octet_string, content);
  BOOST_TEST(to_hex(ByteView(t).first(4)) == "0482012c");
  BOOST_TEST(t.size() == 304u);
}

BOOST_AUTO_TEST_CASE(set_of_sorts_its_elements) {
  Bytes s = der::set_of({der::small_integer(5), der::small_integer(1)});
  BOOST_TEST(to_hex(s) == "3106020101020105");
}

BOOST_AUTO_TEST_CASE(decoder_rejects_lengths_past_the_input_and_indefinite_forms) {
  const std::uint8_t past_end[] = {0x30, 0x05, 0x01};
  const std::uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
  const std::uint8_t huge[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
  const std::uint8_t too_many_length_octets[] = {0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  for (ByteView bad : {ByteView(past_end), ByteView(indefinite), ByteView(huge), ByteView(too_many_length_octets)}) {
    der::Element e;
    ByteView in = bad;
    BOOST_TEST(!der::read(in, e));
  }
  BOOST_TEST(der::oid_string(ByteView()).empty());
  const std::uint8_t unterminated[] = {0x2a, 0x86};
  BOOST_TEST(der::oid_string(ByteView(unterminated)).empty());
}

BOOST_AUTO_TEST_CASE(times_before_2050_are_utc_time) {
  Bytes t = der::time(std::chrono::system_clock::from_time_t(1796083200));  // 2026-12-01T00:00:00Z
  BOOST_TEST(t[0] == der::tag::utc_time);
  BOOST_TEST(std::string(t.begin() + 2, t.end()) == "261201000000Z");
}
