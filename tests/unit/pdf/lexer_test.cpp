// Tests of the PDF tokenizer and object parser on hand-written fragments.
#include <boost/test/unit_test.hpp>

#include <string>

#include "pdf/lexer.h"
#include "test_util.h"

namespace esign::pdf {
namespace {

const std::string kSubject = "test.pdf";

Object parse(const std::string& text, int max_depth = 64) {
  Parser parser(as_bytes(text), 0, kSubject, max_depth);
  return parser.parse_object();
}

Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(lexer)

BOOST_AUTO_TEST_CASE(literal_strings_decode_escapes_and_balanced_parentheses) {
  BOOST_TEST((parse("(a (nested) b)") == Object::Value(String{bytes("a (nested) b")})));
  BOOST_TEST((parse(R"((\n\r\t\b\f\(\)\\))") == Object::Value(String{bytes("\n\r\t\b\f()\\")})));
  BOOST_TEST((parse(R"((\101\0612\7))") == Object::Value(String{bytes("A12\x07")})));
  BOOST_TEST((parse("(one\\\ntwo\\\r\nthree)") == Object::Value(String{bytes("onetwothree")})));
  BOOST_TEST((parse("(a\r\nb\rc)") == Object::Value(String{bytes("a\nb\nc")})));
  BOOST_TEST((parse(R"((\q))") == Object::Value(String{bytes("q")})));
  test::expect_input_error([] { parse("(never closed (x)"); }, "unterminated literal string");
}

BOOST_AUTO_TEST_CASE(hex_strings_ignore_whitespace_and_pad_odd_digits) {
  BOOST_TEST((parse("<48 65\n6C6c 6F>") == Object::Value(String{bytes("Hello"), true})));
  BOOST_TEST((parse("<901FA>") == Object::Value(String{Bytes{0x90, 0x1f, 0xa0}, true})));
  BOOST_TEST((parse("<>") == Object::Value(String{Bytes{}, true})));
  test::expect_input_error([] { parse("<12G4>"); }, "invalid character in hex string");
  test::expect_input_error([] { parse("<1234"); }, "unterminated hex string");
}

BOOST_AUTO_TEST_CASE(names_decode_hash_escapes) {
  BOOST_TEST((parse("/A#20B#23") == Object::Value(Name{"A B#"})));
  BOOST_TEST((parse("/") == Object::Value(Name{""})));
  BOOST_TEST((parse("[/a/b]") == Object::Value(Array{Object::Value(Name{"a"}), Object::Value(Name{"b"})})));
  test::expect_input_error([] { parse("/bad#zz"); }, "malformed #xx escape");
  test::expect_input_error([] { parse("/nul#00"); }, "null byte");
}

BOOST_AUTO_TEST_CASE(numbers_parse_integers_and_reals) {
  BOOST_TEST((parse("42") == Object::Value(std::int64_t{42})));
  BOOST_TEST((parse("+17") == Object::Value(std::int64_t{17})));
  BOOST_TEST((parse("-98") == Object::Value(std::int64_t{-98})));
  BOOST_TEST((parse(".5") == Object::Value(0.5)));
  BOOST_TEST((parse("-3.") == Object::Value(-3.0)));
  BOOST_TEST((parse("-.002") == Object::Value(-0.002)));
  BOOST_TEST((parse("9223372036854775807") == Object::Value(std::int64_t{9223372036854775807})));
  test::expect_input_error([] { parse("1.2.3"); }, "malformed number");
  test::expect_input_error([] { parse("-"); }, "malformed number");
  test::expect_input_error([] { parse("1e5"); }, "malformed number");
}

BOOST_AUTO_TEST_CASE(integer_overflow_is_an_input_error) {
  test::expect_input_error([] { parse("9223372036854775808"); }, "integer out of range");
  test::expect_input_error([] { parse("-99999999999999999999"); }, "integer out of range");
}

BOOST_AUTO_TEST_CASE(comments_and_all_whitespace_kinds_separate_tokens) {
  const std::string text = "[1%comment ] here\r2\t3\f4" + std::string(1, '\0') + "5\n6 ]";
  Object o = parse(text);
  const Array* a = o.get<Array>();
  BOOST_REQUIRE(a);
  BOOST_TEST(a->size() == 6u);
  BOOST_TEST((a->at(5) == Object::Value(std::int64_t{6})));
}

BOOST_AUTO_TEST_CASE(references_are_recognised_only_as_n_g_r) {
  Object o = parse("[1 0 R 2 3 4 R 5 /x 6 0]");
  const Array* a = o.get<Array>();
  BOOST_REQUIRE(a);
  BOOST_REQUIRE(a->size() == 7u);
  BOOST_TEST((a->at(0) == Object::Value(Ref{1, 0})));
  BOOST_TEST((a->at(1) == Object::Value(std::int64_t{2})));
  BOOST_TEST((a->at(2) == Object::Value(Ref{3, 4})));
  BOOST_TEST((a->at(6) == Object::Value(std::int64_t{0})));
}

BOOST_AUTO_TEST_CASE(dictionaries_drop_null_values_and_reject_duplicate_keys) {
  Object o = parse("<</A 1 /B null /C <</D [true false]>>>>");
  const Dict* d = o.get<Dict>();
  BOOST_REQUIRE(d);
  BOOST_TEST(d->size() == 2u);
  BOOST_TEST(!d->contains("B"));
  BOOST_TEST(o.find("C")->find("D")->get<Array>()->size() == 2u);
  test::expect_input_error([] { parse("<</A 1 /A 2>>"); }, "duplicate key /A");
  test::expect_input_error([] { parse("<</A>>"); }, "has no value");
  test::expect_input_error([] { parse("<<1 2>>"); }, "not a name");
  test::expect_input_error([] { parse("[1 2"); }, "unexpected end of data");
  test::expect_input_error([] { parse("foo"); }, "unexpected keyword");
}

BOOST_AUTO_TEST_CASE(deeply_nested_arrays_are_rejected_not_overflowing_the_stack) {
  const std::string deep(200000, '[');
  test::expect_input_error([&] { parse(deep); }, "nested deeper than 64");
  std::string dicts;
  for (int i = 0; i < 100000; ++i) dicts += "<</A ";
  test::expect_input_error([&] { parse(dicts); }, "nested deeper than 64");
  // Exactly at the limit is fine.
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  BOOST_TEST(parse(ok).is<Array>());
  test::expect_input_error([] { parse(std::string(65, '[') + std::string(65, ']')); }, "nested deeper");
}

BOOST_AUTO_TEST_CASE(indirect_objects_with_streams_check_length_and_endstream) {
  const std::string good = "7 0 obj\n<</Length 5>>\nstream\r\nhello\r\nendstream\nendobj";
  Parser p(as_bytes(good), 0, kSubject, 64);
  IndirectObject o = p.parse_indirect({});
  BOOST_TEST((o.ref == Ref{7, 0}));
  const Stream* s = o.object.get<Stream>();
  BOOST_REQUIRE(s);
  BOOST_TEST(good.substr(s->data_offset, s->data_length) == "hello");

  const auto indirect = [](const std::string& text) {
    Parser parser(as_bytes(text), 0, kSubject, 64);
    parser.parse_indirect([](Ref) -> std::int64_t { return 5; });
  };
  indirect("7 0 obj <</Length 8 0 R>> stream\nhelloendstream endobj");
  test::expect_input_error([&] { indirect("7 0 obj <</Length 4>> stream\nhello\nendstream endobj"); }, "endstream");
  test::expect_input_error([&] { indirect("7 0 obj <</Length 3>> stream\nhello\nendstream endobj"); }, "endstream");
  test::expect_input_error([&] { indirect("7 0 obj <</Length 99>> stream\nhello\nendstream endobj"); },
                           "runs past the end");
  test::expect_input_error([&] { indirect("7 0 obj <</Length 5>> stream\rhello\nendstream endobj"); },
                           "not followed by an end of line");
  test::expect_input_error([&] { indirect("7 0 obj <</Length 5>> stream\nhello\nendstream"); }, "expected 'endobj'");
  test::expect_input_error([&] { indirect("7 0 obj 12 endstream"); }, "expected 'endobj'");
  test::expect_input_error([&] { indirect(" 7 0 obj 1 endobj"); }, "expected 'N G obj'");
  test::expect_input_error([] {
    Parser parser(as_bytes("7 0 obj <</Length 8 0 R>> stream\nhello\nendstream endobj"), 0, kSubject, 64);
    parser.parse_indirect({});
  }, "must be a direct integer");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::pdf
