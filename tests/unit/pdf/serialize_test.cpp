// Tests of the object serializer: exact output and round trips through the parser.
#include <boost/test/unit_test.hpp>

#include <string>

#include "pdf/lexer.h"
#include "pdf/object.h"
#include "test_util.h"

namespace esign::pdf {
namespace {

const std::string kSubject = "test.pdf";

std::string text(const Object& o) {
  std::string out;
  serialize(o, out);
  return out;
}

Object reparse(const std::string& s) {
  Parser parser(as_bytes(s), 0, kSubject, 64);
  Object o = parser.parse_object();
  BOOST_TEST((parser.lexer().next().kind == Token::Kind::end));
  return o;
}

Object str(const std::string& s, bool hex = false) { return Object::Value(String{Bytes(s.begin(), s.end()), hex}); }
Object name(const std::string& s) { return Object::Value(Name{s}); }
Object num(std::int64_t n) { return Object::Value(n); }

}  // namespace

BOOST_AUTO_TEST_SUITE(serializer)

BOOST_AUTO_TEST_CASE(scalars_are_written_in_pdf_syntax) {
  BOOST_TEST(text(Object{}) == "null");
  BOOST_TEST(text(Object::Value(true)) == "true");
  BOOST_TEST(text(num(-12)) == "-12");
  BOOST_TEST(text(Object::Value(Ref{12, 3})) == "12 3 R");
  BOOST_TEST(text(Object::Value(0.5)) == "0.5");
  BOOST_TEST(text(Object::Value(-3.0)) == "-3");
  BOOST_TEST(text(Object::Value(1e20)) == "100000000000000000000");
  BOOST_TEST(text(Object::Value(1.0 / 3)) == "0.333333");
  BOOST_TEST(text(Object::Value(1e-9)) == "0");
  BOOST_TEST(text(Object::Value(-1e-9)) == "0");
}

BOOST_AUTO_TEST_CASE(names_escape_delimiters_whitespace_and_hash) {
  BOOST_TEST(text(name("Type")) == "/Type");
  BOOST_TEST(text(name("A B#(x)/")) == "/A#20B#23#28x#29#2F");
  BOOST_TEST(text(name(std::string("\xe9\x7f", 2))) == "/#E9#7F");
}

BOOST_AUTO_TEST_CASE(strings_escape_parentheses_backslash_and_unprintables) {
  BOOST_TEST(text(str("a(b)c\\")) == "(a\\(b\\)c\\\\)");
  BOOST_TEST(text(str(std::string("\n\x01\xff" "7", 4))) == "(\\n\\001\\3777)");
  BOOST_TEST(text(str("\x01\xab", true)) == "<01AB>");
}

BOOST_AUTO_TEST_CASE(containers_and_streams_are_written_with_separators) {
  BOOST_TEST(text(Object::Value(Array{num(1), name("N"), str("s"), Object::Value(Array{})})) == "[1 /N (s) []]");
  Dict d;
  d["Type"] = name("Annot");
  d["Rect"] = Object::Value(Array{num(0), num(0), num(10), num(10)});
  BOOST_TEST(text(Object::Value(d)) == "<</Rect [0 0 10 10] /Type /Annot>>");
  Stream s;
  s.dict["Length"] = num(999);
  s.dict["Filter"] = name("FlateDecode");
  s.data = Bytes{'a', 'b', 'c'};
  BOOST_TEST(text(Object::Value(s)) == "<</Filter /FlateDecode /Length 3>>\nstream\nabc\nendstream");
}

BOOST_AUTO_TEST_CASE(serialize_round_trips_through_the_parser) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  Dict inner;
  inner["Names with spaces"] = name("x y");
  inner["Hex"] = str(every_byte, true);
  inner["Literal"] = str(every_byte + "((unbalanced" + "\\");
  inner["Real"] = Object::Value(-0.125);
  inner["Ref"] = Object::Value(Ref{4294967295u, 65535});
  inner["Min"] = num(INT64_MIN);
  Dict outer;
  outer["Inner"] = Object::Value(inner);
  outer["List"] = Object::Value(Array{Object::Value(false), num(0), Object::Value(Array{Object::Value(Dict{})}),
                                      name(every_byte.substr(1)), num(1), num(0)});
  outer["#"] = str("");
  const Object original = Object::Value(outer);
  BOOST_TEST((reparse(text(original)) == original));
}

BOOST_AUTO_TEST_CASE(serialized_stream_round_trips_through_the_indirect_parser) {
  Stream s;
  s.dict["Type"] = name("XObject");
  s.data = Bytes{'e', 'n', 'd', 's', 't', 'r', 'e', 'a', 'm', '\n'};
  const std::string file = "5 0 obj\n" + text(Object::Value(s)) + "\nendobj\n";
  Parser parser(as_bytes(file), 0, kSubject, 64);
  IndirectObject o = parser.parse_indirect({});
  const Stream* back = o.object.get<Stream>();
  BOOST_REQUIRE(back);
  BOOST_TEST(back->data_length == s.data.size());
  BOOST_TEST(file.substr(back->data_offset, back->data_length) == "endstream\n");
  BOOST_TEST(back->dict.at("Type") == name("XObject"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::pdf
