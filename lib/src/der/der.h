// Minimal DER (X.690) encoding and bounded decoding for the CMS structures esign builds itself.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string_view>

#include "esign/bytes.h"

namespace esign::der {

namespace tag {
inline constexpr std::uint8_t integer = 0x02, octet_string = 0x04, null = 0x05, oid = 0x06, utc_time = 0x17,
                              generalized_time = 0x18, sequence = 0x30, set = 0x31;
// Context-specific tag number n; constructed when `constructed`.
constexpr std::uint8_t context(int n, bool constructed = true) {
  return static_cast<std::uint8_t>(0x80 | (constructed ? 0x20 : 0) | n);
}
}  // namespace tag

// One element: tag, length, content.
Bytes tlv(std::uint8_t tag, ByteView content);
Bytes sequence(std::initializer_list<ByteView> parts);
// SET OF: DER (X.690 §11.6) orders the encoded elements as octet strings.
Bytes set_of(std::vector<Bytes> elements, std::uint8_t set_tag = tag::set);
Bytes concat(std::initializer_list<ByteView> parts);
Bytes oid(std::string_view dotted);  // "1.2.840.113549.1.7.2"
Bytes null();
Bytes small_integer(int value);
Bytes octet_string(ByteView value);
// UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5 rule, also used by CMS).
Bytes time(std::chrono::system_clock::time_point t);

// A decoded element. `content` and `whole` point into the input.
struct Element {
  std::uint8_t tag = 0;
  ByteView content;
  ByteView whole;
};
// Reads one element from the front of `in` and advances it. Only definite lengths of at most
// 4 length octets that fit in `in` are accepted; returns false otherwise (never reads past `in`).
bool read(ByteView& in, Element& out);
// The first element of `in` (all of it), or `in` itself when it does not start with one: a PDF's
// /Contents holds a CMS or a time-stamp token followed by zero padding.
ByteView leading_element(ByteView in);
// The dotted form of an OID's content octets, or "" when malformed.
std::string oid_string(ByteView content);

}  // namespace esign::der
