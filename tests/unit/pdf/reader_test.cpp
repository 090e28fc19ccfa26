// Tests of Document: cross-reference tables and streams, object lookup, limits, malformed files.
#define BOOST_TEST_MODULE unit_pdf
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>

#include "pdf/document.h"
#include "pdf_builder.h"
#include "test_util.h"

namespace esign::pdf {
namespace {

using test::expect_input_error;
using test::PdfBuilder;

Document open(const std::string& file, const Limits& limits = {}) {
  return Document::parse(as_bytes(file), "test.pdf", limits);
}

std::string classic(int pages = 1, const std::string& eol = " \n") {
  PdfBuilder b = test::minimal_document(pages);
  const std::size_t xref = b.xref_table("/Size " + std::to_string(4 + pages) + " /Root 1 0 R", eol);
  return b.finish(xref);
}

std::string stream_text(const Document& doc, const Object& o) {
  const Stream* s = o.get<Stream>();
  BOOST_REQUIRE(s);
  const Bytes data = doc.decode(*s);
  return std::string(data.begin(), data.end());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reader)

BOOST_AUTO_TEST_CASE(classic_xref_table_resolves_every_object) {
  const std::string file = classic(3);
  const Document doc = open(file);
  BOOST_TEST((doc.xref_kind() == XrefKind::table));
  BOOST_TEST(doc.size() == 7u);
  BOOST_TEST(doc.xref().size() == 7u);
  BOOST_TEST(!doc.encrypted());
  for (std::uint32_t n = 1; n < 7; ++n) BOOST_TEST(!doc.get(Ref{n, 0}).is_null());
  BOOST_TEST(doc.catalog().at("Type") == Object::Value(Name{"Catalog"}));
  const std::vector<Ref> pages = doc.pages();
  BOOST_TEST(pages.size() == 3u);
  BOOST_TEST((pages[2] == Ref{5, 0}));
  const Object page = doc.get(pages[0]);
  BOOST_TEST(stream_text(doc, doc.resolve_key(*page.dict(), "Contents")) == "BT /F1 12 Tf 72 720 Td (Hello) Tj ET");
}

BOOST_AUTO_TEST_CASE(xref_entries_ending_in_crlf_or_space_cr_are_accepted) {
  for (const std::string eol : {"\r\n", " \r", " \n"}) {
    const std::string file = classic(1, eol);
    BOOST_TEST(open(file).pages().size() == 1u);
  }
  const std::string bad = classic(1, "\n\n");
  expect_input_error([&] { open(bad); }, "malformed xref entry");
}

BOOST_AUTO_TEST_CASE(whitespace_after_eof_is_accepted_but_other_data_is_not) {
  PdfBuilder b = test::minimal_document();
  const std::size_t xref = b.xref_table("/Size 5 /Root 1 0 R");
  const std::string spaced = b.finish(xref, "\r\n  \n\n");
  BOOST_TEST(open(spaced).pages().size() == 1u);
  const std::string junk = spaced + "garbage";
  expect_input_error([&] { open(junk); }, "data after the last %%EOF");
}

BOOST_AUTO_TEST_CASE(missing_startxref_is_an_input_error) {
  std::string file = classic();
  file.replace(file.rfind("startxref"), 9, "startxrex");
  expect_input_error([&] { open(file); }, "no startxref");
  // startxref further than 1024 bytes from the end is not looked for.
  std::string far = classic();
  far.insert(far.size() - 6, std::string(2000, ' '));
  expect_input_error([&] { open(far); }, "no startxref");
  expect_input_error([] { open("hello"); }, "not a PDF file");
  expect_input_error([] { open(""); }, "not a PDF file");
}

BOOST_AUTO_TEST_CASE(offset_past_end_of_file_is_an_input_error) {
  PdfBuilder b = test::minimal_document();
  b.xref_table("/Size 5 /Root 1 0 R");
  const std::string past = b.finish(999999);
  expect_input_error([&] { open(past); }, "startxref offset 999999 is past the end of the file");

  std::string entry = classic();
  entry.replace(entry.find(" 00000 n") - 10, 10, "0099999999");
  expect_input_error([&] { open(entry); }, "points past the end of the file");

  PdfBuilder p = test::minimal_document();
  const std::size_t xref = p.xref_table("/Size 5 /Root 1 0 R /Prev 123456789");
  const std::string prev = p.finish(xref);
  expect_input_error([&] { open(prev); }, "xref offset 123456789 is past the end of the file");
}

BOOST_AUTO_TEST_CASE(startxref_must_point_exactly_at_a_section) {
  PdfBuilder b = test::minimal_document();
  const std::size_t xref = b.xref_table("/Size 5 /Root 1 0 R");
  const std::string off_by_one = b.finish(xref + 1);
  expect_input_error([&] { open(off_by_one); }, "expected 'N G obj'");
  PdfBuilder c;
  const std::size_t catalog = c.object(1, "<</Type /Catalog>>");
  c.xref_table("/Size 2 /Root 1 0 R");
  const std::string at_object = c.finish(catalog);  // an object, but not an xref stream
  expect_input_error([&] { open(at_object); }, "nor an xref stream");
}

BOOST_AUTO_TEST_CASE(entry_pointing_at_another_object_is_an_input_error) {
  std::string file = classic();
  // Point object 2's entry at object 1: entries follow "xref\n0 5\n", 20 bytes each.
  const std::size_t entries = file.find("xref\n0 5\n") + 9;
  file.replace(entries + 40, 10, file.substr(entries + 20, 10));
  const Document doc = open(file);
  expect_input_error([&] { doc.get(Ref{2, 0}); }, "points at object 1 0");
  expect_input_error([&] { doc.pages(); }, "points at object 1 0");
}

BOOST_AUTO_TEST_CASE(free_absent_and_wrong_generation_objects_are_null) {
  const std::string file = classic();
  const Document doc = open(file);
  BOOST_TEST(doc.get(Ref{0, 65535}).is_null());
  BOOST_TEST(doc.get(Ref{0, 0}).is_null());
  BOOST_TEST(doc.get(Ref{99, 0}).is_null());
  BOOST_TEST(doc.get(Ref{1, 1}).is_null());
  BOOST_TEST(doc.resolve(Object::Value(std::int64_t{7})) == Object::Value(std::int64_t{7}));
  BOOST_TEST(doc.resolve_key(doc.catalog(), "Missing").is_null());
}

BOOST_AUTO_TEST_CASE(prev_chain_newest_entry_wins) {
  PdfBuilder b = test::minimal_document();
  const std::size_t first = b.xref_table("/Size 5 /Root 1 0 R");
  b.raw("startxref\n" + std::to_string(first) + "\n%%EOF\n");
  // Update 1: a new content stream and a new catalog entry.
  b.stream(4, "", "updated once");
  b.object(5, "(new object)");
  const std::size_t second = b.xref_table("/Size 6 /Root 1 0 R /Prev " + std::to_string(first), " \n", false);
  b.raw("startxref\n" + std::to_string(second) + "\n%%EOF\n");
  // Update 2, as an xref stream: object 4 again, and object 5 deleted.
  b.stream(4, "", "updated twice");
  std::size_t third = b.xref_stream(6, "/Size 7 /Root 1 0 R /Prev " + std::to_string(second));
  std::string file = b.finish(third);
  const Document doc = open(file);
  BOOST_TEST((doc.xref_kind() == XrefKind::stream));
  BOOST_TEST(doc.size() == 7u);
  BOOST_TEST(doc.trailer().at("Prev") == Object::Value(static_cast<std::int64_t>(second)));
  BOOST_TEST(stream_text(doc, doc.get(Ref{4, 0})) == "updated twice");
  BOOST_TEST(doc.get(Ref{5, 0}) == Object::Value(String{Bytes{'n', 'e', 'w', ' ', 'o', 'b', 'j', 'e', 'c', 't'}}));
  BOOST_TEST(doc.pages().size() == 1u);

  // A newer free entry hides the older object.
  std::string freed = file.substr(0, file.rfind("startxref"));
  const std::size_t fourth = freed.size();
  freed += "xref\n5 1\n0000000000 00001 f \ntrailer\n<</Size 7 /Root 1 0 R /Prev " + std::to_string(third) +
           ">>\nstartxref\n" + std::to_string(fourth) + "\n%%EOF\n";
  const Document doc2 = open(freed);
  BOOST_TEST(doc2.get(Ref{5, 0}).is_null());
  BOOST_TEST(stream_text(doc2, doc2.get(Ref{4, 0})) == "updated twice");
}

BOOST_AUTO_TEST_CASE(prev_chain_loop_is_detected) {
  PdfBuilder b = test::minimal_document();
  const std::size_t at = b.size();
  const std::size_t xref = b.xref_table("/Size 5 /Root 1 0 R /Prev " + std::to_string(at));
  BOOST_REQUIRE(xref == at);
  const std::string self = b.finish(xref);
  expect_input_error([&] { open(self); }, "loops back to offset");

  Limits few;
  few.max_sections = 1;
  PdfBuilder c = test::minimal_document();
  const std::size_t one = c.xref_table("/Size 5 /Root 1 0 R");
  const std::size_t two = c.xref_table("/Size 5 /Root 1 0 R /Prev " + std::to_string(one));
  const std::string chain = c.finish(two);
  BOOST_TEST(open(chain).pages().size() == 1u);
  expect_input_error([&] { open(chain, few); }, "more than 1 xref sections");
}

BOOST_AUTO_TEST_CASE(xref_stream_with_object_streams_resolves_compressed_objects) {
  PdfBuilder b;
  b.compressed(10, {{1, "<</Type /Catalog /Pages 2 0 R>>"},
                    {2, "<</Type /Pages /Kids [3 0 R 4 0 R] /Count 2>>"},
                    {3, "<</Type /Page /Parent 2 0 R /Contents 5 0 R>>"},
                    {4, "<</Type /Page /Parent 2 0 R /Contents 5 0 R /Note (in an object stream)>>"}});
  b.stream(5, "/Filter /FlateDecode", test::deflate("q Q"));
  const std::size_t xref = b.xref_stream(11, "/Size 12 /Root 1 0 R");
  const std::string file = b.finish(xref);
  const Document doc = open(file);
  BOOST_TEST((doc.xref_kind() == XrefKind::stream));
  BOOST_TEST(doc.startxref() == xref);
  BOOST_TEST(doc.size() == 12u);
  BOOST_TEST((doc.xref().at(3).type == XrefEntry::Type::compressed));
  BOOST_TEST(doc.xref().at(3).stream_num == 10u);
  BOOST_TEST(doc.xref().at(3).index == 2u);
  BOOST_TEST(doc.trailer().at("Type") == Object::Value(Name{"XRef"}));
  const std::vector<Ref> pages = doc.pages();
  BOOST_REQUIRE(pages.size() == 2u);
  BOOST_TEST(doc.get(pages[1]).find("Note")->get<String>()->value.size() == 19u);
  BOOST_TEST(stream_text(doc, doc.resolve_key(*doc.get(pages[0]).dict(), "Contents")) == "q Q");
  BOOST_TEST(doc.get(Ref{3, 1}).is_null());
}

BOOST_AUTO_TEST_CASE(object_stream_problems_are_input_errors) {
  PdfBuilder b;
  b.compressed(10, {{1, "<</Type /Catalog /Pages 2 0 R>>"}, {2, "<</Type /Pages /Kids [] /Count 0>>"}});
  b.compressed(12, {{4, "(fine)"}, {5, "[1 2"}});
  b.object(3, "<</Type /ObjStm /N 1 /First 0>>");  // a dictionary, not a stream
  b.compressed_entry(20, 3, 0);
  b.compressed_entry(21, 10, 5);
  b.compressed_entry(22, 10, 0);
  b.compressed_entry(23, 23, 0);
  const std::size_t xref = b.xref_stream(11, "/Size 24 /Root 1 0 R");
  const std::string file = b.finish(xref);
  const Document doc = open(file);
  BOOST_TEST(doc.pages().empty());
  expect_input_error([&] { doc.get(Ref{4, 0}); }, "unexpected end of data, expected an object at offset");
  expect_input_error([&] { doc.get(Ref{4, 0}); }, "in object stream 12");
  expect_input_error([&] { doc.get(Ref{20, 0}); }, "object stream 3 is not a /Type /ObjStm stream");
  expect_input_error([&] { doc.get(Ref{21, 0}); }, "is not at index 5 of object stream 10");
  expect_input_error([&] { doc.get(Ref{22, 0}); }, "is not at index 0 of object stream 10");
  expect_input_error([&] { doc.get(Ref{23, 0}); }, "object stream 23 is not an object in the file");
}

BOOST_AUTO_TEST_CASE(hybrid_file_honours_xrefstm) {
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  b.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
  b.compressed(10, {{3, "<</Type /Page /Parent 2 0 R /Hidden true>>"}});
  const std::size_t stm = b.xref_stream(11, "/Size 12");
  // The table lists 1, 2 and (for old readers) 3 as free; the xref stream has the real 3.
  std::string file = b.finish(0);
  file = file.substr(0, file.rfind("startxref"));
  const std::size_t table = file.size();
  char line[64];
  file += "xref\n0 4\n0000000000 65535 f \n";
  std::snprintf(line, sizeof line, "%010zu 00000 n \n", file.find("1 0 obj"));
  file += line;
  std::snprintf(line, sizeof line, "%010zu 00000 n \n", file.find("2 0 obj"));
  file += line;
  file += "0000000000 00001 f \ntrailer\n<</Size 12 /Root 1 0 R /XRefStm " + std::to_string(stm) +
          ">>\nstartxref\n" + std::to_string(table) + "\n%%EOF\n";
  const Document doc = open(file);
  BOOST_TEST((doc.xref_kind() == XrefKind::table));
  BOOST_TEST(doc.trailer().contains("XRefStm"));
  const std::vector<Ref> pages = doc.pages();
  BOOST_REQUIRE(pages.size() == 1u);
  BOOST_TEST(doc.get(pages[0]).find("Hidden") != nullptr);
}

// A hybrid file must read the same with and without its /XRefStm: the stream may only add
// compressed objects and file structure, never contradict or extend what the table lists.
BOOST_AUTO_TEST_CASE(hybrid_table_and_stream_that_disagree_are_refused) {
  for (const char table_entry : {'n', 'f'}) {
    PdfBuilder b;
    b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
    b.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
    const std::size_t signed_page = b.object(3, "<</Type /Page /Parent 2 0 R>>");
    const std::size_t other_page = b.object(3, "<</Type /Page /Parent 2 0 R /Rotate 90>>");
    (void)signed_page;
    const std::size_t stm = b.xref_stream(11, "/Size 12");  // lists 1, 2 and 3 at other_page
    std::string file = b.finish(0);
    file = file.substr(0, file.rfind("startxref"));
    const std::size_t table = file.size();
    char line[64];
    file += "xref\n0 4\n0000000000 65535 f \n";
    for (const char* obj : {"1 0 obj", "2 0 obj"}) {
      std::snprintf(line, sizeof line, "%010zu 00000 n \n", file.find(obj));
      file += line;
    }
    std::snprintf(line, sizeof line, "%010zu 00000 %c \n", table_entry == 'n' ? file.find("3 0 obj") : 0, table_entry);
    file += line;
    file += "trailer\n<</Size 12 /Root 1 0 R /XRefStm " + std::to_string(stm) + ">>\nstartxref\n" +
            std::to_string(table) + "\n%%EOF\n";
    BOOST_TEST_CONTEXT("table entry '" << table_entry << "', stream offset " << other_page) {
      expect_input_error([&] { open(file); }, "the table and the /XRefStm stream disagree about object 3");
    }
  }
}

BOOST_AUTO_TEST_CASE(xref_stream_rows_of_unknown_types_are_refused) {
  // §7.5.8.3 would read type 3 as a null reference; poppler and qpdf rebuild such a file.
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  b.object(2, "<</Type /Pages /Kids [] /Count 0>>");
  const std::size_t at = b.size();
  const std::string rows = std::string("\x03\0\0\0\0\0\0", 7);
  b.raw("3 0 obj\n<</Type /XRef /W [1 4 2] /Index [5 1] /Size 6 /Root 1 0 R /Length 7>>\nstream\n" + rows +
        "\nendstream\nendobj\n");
  const std::string file = b.finish(at);
  expect_input_error([&] { open(file); }, "has the unknown type 3");
}

BOOST_AUTO_TEST_CASE(object_streams_that_list_a_number_twice_are_refused) {
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  b.object(2, "<</Type /Pages /Kids [] /Count 0>>");
  b.compressed(10, {{5, "(first)"}, {5, "(second)"}});
  const std::string file = b.finish(b.xref_stream(11, "/Size 12 /Root 1 0 R"));
  const Document doc = open(file);
  expect_input_error([&] { doc.get(Ref{5, 0}); }, "object stream 10 lists object 5 twice");
}

BOOST_AUTO_TEST_CASE(comments_inside_an_xref_table_are_refused) {
  // qpdf calls such a table damaged and rebuilds the cross-reference.
  const std::string file = classic();
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"xref\n", "xref %x\n"}, {"\n0 5\n", "\n0 5 %x\n"}, {" \ntrailer", " \n%x\ntrailer"}}) {
    std::string bad = file;
    const std::size_t at = bad.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    bad.replace(at, from.size(), to);
    // startxref still points at `xref`, which stays where it was.
    expect_input_error([&] { open(bad); }, "comment inside an xref table");
  }
}

BOOST_AUTO_TEST_CASE(sections_record_what_they_free) {
  PdfBuilder b = test::minimal_document(1);
  const std::size_t first = b.xref_table("/Size 5 /Root 1 0 R");
  std::string file = b.finish(first);
  const std::size_t second = file.size();
  file += "xref\n0 1\n0000000000 65535 f \n4 1\n0000000000 00001 f \ntrailer\n<</Size 5 /Root 1 0 R /Prev " +
          std::to_string(first) + ">>\nstartxref\n" + std::to_string(second) + "\n%%EOF\n";
  const Document doc = open(file);
  BOOST_REQUIRE_EQUAL(doc.sections().size(), 2u);
  BOOST_TEST(doc.sections()[0].offset == second);
  BOOST_TEST((doc.sections()[0].freed == std::vector<std::uint32_t>{4}));
  BOOST_TEST(doc.sections()[1].freed.empty());
  BOOST_TEST(doc.get(Ref{4, 0}).is_null());
}

BOOST_AUTO_TEST_CASE(decoded_bytes_draw_on_the_files_budget) {
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  b.object(2, "<</Type /Pages /Kids [] /Count 0>>");
  b.stream(3, "/Filter /FlateDecode", test::deflate(std::string(40u << 20, '\0')));  // 40 MiB of zeros
  const std::string file = b.finish(b.xref_table("/Size 4 /Root 1 0 R"));
  Budget budget(file.size());  // 16 MiB + 8 times the file
  Limits limits;
  limits.budget = &budget;
  const Document doc = open(file, limits);
  const Object bomb = doc.get(Ref{3, 0});
  expect_input_error([&] { doc.decode(*bomb.get<Stream>()); }, "decoded stream bytes for a file of this size");
  BOOST_TEST(budget.exhausted());
  BOOST_TEST(open(file).decode(*bomb.get<Stream>()).size() == (40u << 20));  // without a budget: the per-stream cap
}

BOOST_AUTO_TEST_CASE(stream_length_as_indirect_reference_is_resolved) {
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  b.object(2, "<</Type /Pages /Kids [] /Count 0>>");
  b.object(3, "<</Length 4 0 R>>\nstream\nindirect length\nendstream");
  b.object(4, "15");
  b.object(5, "<</Length 5 0 R>>\nstream\nself\nendstream");  // its length is itself: a loop
  b.object(6, "<</Length 7 0 R>>\nstream\nx\nendstream");
  b.object(7, "(not a number)");
  const std::size_t xref = b.xref_table("/Size 8 /Root 1 0 R");
  const std::string file = b.finish(xref);
  const Document doc = open(file);
  BOOST_TEST(stream_text(doc, doc.get(Ref{3, 0})) == "indirect length");
  BOOST_TEST(doc.pages().empty());
  expect_input_error([&] { doc.get(Ref{5, 0}); }, "nested too deeply");
  expect_input_error([&] { doc.get(Ref{6, 0}); }, "is not an integer");
}

BOOST_AUTO_TEST_CASE(wrong_stream_length_and_missing_endobj_are_input_errors) {
  PdfBuilder b = test::minimal_document();
  b.object(5, "<</Length 3>>\nstream\nhello\nendstream");
  b.object(7, "[1 2 3]");
  const std::size_t xref = b.xref_table("/Size 8 /Root 1 0 R");
  const std::string file = b.finish(xref);
  const Document doc = open(file);
  expect_input_error([&] { doc.get(Ref{5, 0}); }, "not followed by 'endstream'");
  BOOST_TEST(doc.get(Ref{7, 0}).is<Array>());

  std::string noend = classic();
  noend.replace(noend.find("endobj"), 6, "endobx");
  const Document doc2 = open(noend);
  expect_input_error([&] { doc2.get(Ref{1, 0}); }, "expected 'endobj'");
}

BOOST_AUTO_TEST_CASE(flate_bomb_is_capped) {
  PdfBuilder b = test::minimal_document();
  b.stream(5, "/Filter /FlateDecode", test::deflate(std::string(8 << 20, '\0')));
  b.stream(6, "/Filter [/FlateDecode]", test::deflate(std::string(1000, 'a')));
  const std::size_t xref = b.xref_table("/Size 7 /Root 1 0 R");
  const std::string file = b.finish(xref);
  Limits small;
  small.max_decoded_stream = 1 << 20;
  const Document doc = open(file, small);
  const Object bomb = doc.get(Ref{5, 0});
  expect_input_error([&] { doc.decode(*bomb.get<Stream>()); }, "decoded stream exceeds 1048576 bytes");
  BOOST_TEST(stream_text(doc, doc.get(Ref{6, 0})).size() == 1000u);
  const Document roomy = open(file);
  BOOST_TEST(roomy.decode(*roomy.get(Ref{5, 0}).get<Stream>()).size() == std::size_t{8} << 20);
}

BOOST_AUTO_TEST_CASE(unsupported_or_corrupt_filters_are_input_errors) {
  PdfBuilder b = test::minimal_document();
  b.stream(5, "/Filter /LZWDecode", "abc");
  b.stream(6, "/Filter [/FlateDecode /ASCIIHexDecode]", "abc");
  b.stream(7, "/Filter /FlateDecode", "not zlib data");
  std::string truncated = test::deflate(std::string(5000, 'x'));
  truncated.resize(truncated.size() / 2);
  b.stream(8, "/Filter /FlateDecode", truncated);
  b.stream(9, "/Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns 4>>", test::deflate("\x02" "abcd" "\x07" "efgh"));
  b.stream(10, "/Filter /FlateDecode /DecodeParms <</Predictor 12 /Columns 4>>", test::deflate("\x01" "abcd" "\x03"));
  b.stream(11, "/Filter /FlateDecode /DecodeParms <</Predictor 2 /Columns 2 /Colors 1>>", test::deflate("\x01\x01\x05\x05"));
  const std::size_t xref = b.xref_table("/Size 12 /Root 1 0 R");
  const std::string file = b.finish(xref);
  const Document doc = open(file);
  const auto decode = [&](std::uint32_t n) { return stream_text(doc, doc.get(Ref{n, 0})); };
  expect_input_error([&] { decode(5); }, "unsupported stream filter /LZWDecode");
  expect_input_error([&] { decode(6); }, "filter chains are not supported");
  expect_input_error([&] { decode(7); }, "flate data is corrupt");
  expect_input_error([&] { decode(8); }, "flate data is truncated");
  expect_input_error([&] { decode(9); }, "unknown filter type 7");
  expect_input_error([&] { decode(10); }, "whole number of rows");
  BOOST_TEST(decode(11) == "\x01\x02\x05\x0a");
}

BOOST_AUTO_TEST_CASE(page_tree_loops_and_bad_nodes_are_input_errors) {
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  b.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
  b.object(3, "<</Type /Pages /Kids [2 0 R] /Count 1>>");
  const std::size_t xref = b.xref_table("/Size 4 /Root 1 0 R");
  const std::string file = b.finish(xref);
  expect_input_error([&] { open(file).pages(); }, "visits object 2 0 twice");

  PdfBuilder c;
  c.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  c.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
  c.object(3, "<</Type /Font>>");
  const std::size_t x = c.xref_table("/Size 4 /Root 1 0 R");
  const std::string font = c.finish(x);
  expect_input_error([&] { open(font).pages(); }, "neither /Pages nor /Page");

  PdfBuilder d;
  d.object(1, "<</Type /Catalog>>");
  const std::size_t y = d.xref_table("/Size 2 /Root 1 0 R");
  const std::string none = d.finish(y);
  expect_input_error([&] { open(none).pages(); }, "/Pages is not an indirect reference");
  PdfBuilder e;
  const std::size_t z = e.xref_table("/Size 1");
  const std::string noroot = e.finish(z);
  expect_input_error([&] { open(noroot).catalog(); }, "/Root is not a dictionary");
}

BOOST_AUTO_TEST_CASE(deep_page_tree_is_bounded) {
  PdfBuilder b;
  b.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  const std::uint32_t levels = 200;
  for (std::uint32_t i = 0; i < levels; ++i) {
    b.object(2 + i, "<</Type /Pages /Kids [" + std::to_string(3 + i) + " 0 R] /Count 1>>");
  }
  b.object(2 + levels, "<</Type /Page>>");
  const std::size_t xref = b.xref_table("/Size " + std::to_string(3 + levels) + " /Root 1 0 R");
  const std::string file = b.finish(xref);
  expect_input_error([&] { open(file).pages(); }, "page tree is deeper than 64");
}

BOOST_AUTO_TEST_CASE(encrypted_reports_the_trailer_encrypt_entry) {
  PdfBuilder b = test::minimal_document();
  b.object(5, "<</Filter /Standard /V 5 /R 6>>");
  const std::size_t xref = b.xref_table("/Size 6 /Root 1 0 R /Encrypt 5 0 R /ID [<01> <01>]");
  const std::string file = b.finish(xref);
  BOOST_TEST(open(file).encrypted());
}

BOOST_AUTO_TEST_CASE(xref_limits_bound_sizes_and_counts) {
  PdfBuilder b = test::minimal_document();
  const std::size_t xref = b.xref_table("/Size 20000000 /Root 1 0 R");
  const std::string huge_size = b.finish(xref);
  expect_input_error([&] { open(huge_size); }, "exceeds the object limit");

  std::string huge_count = classic();
  huge_count.replace(huge_count.find("\n0 5\n"), 5, "\n0 9999999\n");
  expect_input_error([&] { open(huge_count); }, "runs past the end of the file");

  PdfBuilder s;
  s.object(1, "<</Type /Catalog>>");
  const std::size_t at = s.size();
  s.raw("2 0 obj\n<</Type /XRef /Size 9000000 /W [1 4 2] /Length 0>>\nstream\n\nendstream\nendobj\n");
  const std::string short_stream = s.finish(at);
  expect_input_error([&] { open(short_stream); }, "shorter than /Index and /W require");

  PdfBuilder w;
  const std::size_t at2 = w.size();
  w.raw("2 0 obj\n<</Type /XRef /Size 3 /W [1 9 2] /Length 0>>\nstream\n\nendstream\nendobj\n");
  const std::string wide = w.finish(at2);
  expect_input_error([&] { open(wide); }, "malformed /W");

  PdfBuilder l;
  const std::size_t at3 = l.size();
  l.raw("2 0 obj\n<</Type /XRef /Size 3 /W [1 2 2] /Length 3 0 R>>\nstream\n\nendstream\nendobj\n");
  const std::string indirect = l.finish(at3);
  expect_input_error([&] { open(indirect); }, "must be a direct integer");
}

BOOST_AUTO_TEST_CASE(random_corruption_only_ever_raises_input_errors) {
  PdfBuilder b;
  b.compressed(10, {{1, "<</Type /Catalog /Pages 2 0 R>>"},
                    {2, "<</Type /Pages /Kids [3 0 R] /Count 1>>"},
                    {3, "<</Type /Page /Parent 2 0 R /Contents 5 0 R /A [(x) <01> /N 1.5 [[]]]>>"}});
  b.stream(5, "/Filter /FlateDecode", test::deflate("BT ET"));
  const std::size_t xref = b.xref_stream(11, "/Size 12 /Root 1 0 R");
  const std::string original = b.finish(xref);
  const std::string tabled = classic(2);
  std::mt19937 rng(1234);
  int opened = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string file = round % 2 ? original : tabled;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) file[rng() % file.size()] = static_cast<char>(rng());
    try {
      const Document doc = open(file);
      for (const Ref& page : doc.pages()) {
        const Object p = doc.get(page);
        const Object contents = doc.resolve_key(*p.dict(), "Contents");
        if (const Stream* s = contents.get<Stream>()) doc.decode(*s);
      }
      ++opened;
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::input));
    }
  }
  BOOST_TEST(opened > 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::pdf
