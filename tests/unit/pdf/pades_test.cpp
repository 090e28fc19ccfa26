// Tests of the PDF side of signing: the prepared update (placeholder, ByteRange, digest) and embed.
#include <boost/test/unit_test.hpp>

#include <regex>
#include <string>

#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/pades.h"
#include "pdf_builder.h"
#include "test_util.h"

namespace esign::pdf {
namespace {

std::string classic() {
  test::PdfBuilder b = test::minimal_document(2);
  const std::size_t xref = b.xref_table("/Size 6 /Root 1 0 R");
  return b.finish(xref);
}

SignatureDictionary dictionary() {
  SignatureDictionary d;
  d.signer_name = "Test Signer";
  d.reason = "Approved";
  d.signing_time = std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pades)

BOOST_AUTO_TEST_CASE(the_byte_range_covers_everything_but_the_placeholder_and_the_digest_is_its_hash) {
  const std::string pdf = classic();
  const PreparedUpdate u = prepare_signature(as_bytes(pdf), "test.pdf", dictionary(), 300, DigestAlgorithm::sha384);
  BOOST_TEST(u.base == pdf.size());
  BOOST_TEST(u.capacity() == 300u);
  const std::string file = pdf + u.tail;
  // The placeholder: 600 zeros in angle brackets, exactly between the two ranges.
  BOOST_TEST(file.substr(u.gap_begin, u.gap_end - u.gap_begin) == "<" + std::string(600, '0') + ">");
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(file, m, std::regex(R"(/ByteRange\[0 (\d+) (\d+) (\d+) *\])")));
  BOOST_TEST(std::stoul(m[1]) == u.gap_begin);
  BOOST_TEST(std::stoul(m[2]) == u.gap_end);
  BOOST_TEST(std::stoul(m[3]) == file.size() - u.gap_end);
  const std::string covered = file.substr(0, u.gap_begin) + file.substr(u.gap_end);
  const Digest expected = digest_of(DigestAlgorithm::sha384, as_bytes(covered));
  BOOST_TEST((u.digest.algorithm == DigestAlgorithm::sha384));
  BOOST_TEST((u.digest.value == expected.value));
  // The update is a valid revision with one signature dictionary.
  BOOST_TEST(Document::parse(as_bytes(file), "test.pdf").pages().size() == 2u);
  BOOST_TEST(file.find("/SubFilter/ETSI.CAdES.detached") != std::string::npos);
  BOOST_TEST(file.find("/Reason") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(embed_fills_the_placeholder_and_leaves_the_ranges_alone) {
  const std::string pdf = classic();
  PreparedUpdate u = prepare_signature(as_bytes(pdf), "test.pdf", dictionary(), 8, DigestAlgorithm::sha256);
  const std::string before = u.tail;
  const std::size_t begin = u.gap_begin - u.base, end = u.gap_end - u.base;
  const Bytes contents{0x30, 0x03, 0x02, 0x01, 0xff};
  const std::string after = embed(u, contents);
  BOOST_TEST(after.size() == before.size());
  BOOST_TEST(after.substr(begin, end - begin) == "<3003020" "1ff000000>");
  BOOST_TEST(after.substr(0, begin) == before.substr(0, begin));
  BOOST_TEST(after.substr(end) == before.substr(end));
}

BOOST_AUTO_TEST_CASE(contents_larger_than_the_placeholder_are_refused) {
  const std::string pdf = classic();
  PreparedUpdate u = prepare_timestamp(as_bytes(pdf), "test.pdf", 4);
  BOOST_TEST((pdf + u.tail).find("/Type/DocTimeStamp") != std::string::npos);
  try {
    embed(u, Bytes(5, 0x01));
    BOOST_ERROR("5 bytes went into a 4-byte placeholder");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::internal));
  }
}

BOOST_AUTO_TEST_CASE(an_appearance_on_a_missing_page_is_an_input_error) {
  SignatureDictionary d = dictionary();
  d.appearance = Appearance{};
  d.appearance->page = 3;
  test::expect_input_error(
      [&] { prepare_signature(as_bytes(classic()), "test.pdf", d, 100, DigestAlgorithm::sha256); }, "page 3");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::pdf
