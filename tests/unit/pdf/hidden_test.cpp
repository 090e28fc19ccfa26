// Tests of hidden_content: what a document hides from its readers that a later update could show.
#include <boost/test/unit_test.hpp>

#include <string>

#include "pdf/document.h"
#include "pdf/hidden.h"
#include "pdf_builder.h"

namespace esign::pdf {
namespace {

using test::PdfBuilder;

// A one-page document: catalog 1, pages 2, page 3 (content 4, font 5); `extra` more objects
// and catalog entries.
struct Doc {
  PdfBuilder b;
  explicit Doc(const std::string& catalog_extra = "", const std::string& page_extra = "") {
    b.object(1, "<</Type /Catalog /Pages 2 0 R" + catalog_extra + ">>");
    b.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
    b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources <</Font <</F1 5 0 R>>" +
                    page_extra + ">>>>");
    b.stream(4, "", "BT /F1 12 Tf 72 720 Td (Pay 10) Tj ET");
    b.object(5, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>");
  }
  std::string finish(std::uint32_t size) { return b.finish(b.xref_table("/Size " + std::to_string(size) + " /Root 1 0 R")); }
};

std::vector<std::string> findings(const std::string& file) {
  Document doc = Document::parse(as_bytes(file), "test.pdf");
  return hidden_content(doc, Limits{});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hidden)

BOOST_AUTO_TEST_CASE(a_clean_document_hides_nothing) {
  Doc d;
  d.b.object(6, "<</Producer (test)>>");  // the document information, reached from the trailer
  d.b.object(7, "<</Type /Font /Subtype /Type1 /BaseFont /Courier>>");  // unused, but no content
  const std::string file = d.b.finish(d.b.xref_table("/Size 8 /Root 1 0 R /Info 6 0 R"));
  BOOST_TEST(findings(file).empty());
}

BOOST_AUTO_TEST_CASE(unused_content_xobjects_and_pages_are_found) {
  const std::pair<std::string, std::string> objects[] = {
      {"/Type /XObject /Subtype /Form /BBox [0 0 612 792]", "a form XObject"},
      {"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", "an image XObject"},
      {"", "a content stream"},
  };
  for (const auto& [dict, kind] : objects) {
    Doc d;
    d.b.stream(6, dict, "BT /F1 12 Tf 72 720 Td (Pay 1000000) Tj ET");
    const std::vector<std::string> found = findings(d.finish(7));
    BOOST_REQUIRE_EQUAL(found.size(), 1u);
    BOOST_TEST(found[0] == "object 6 0, " + kind + ", which nothing in the document uses");
  }
  Doc d;
  d.b.object(6, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R>>");
  const std::vector<std::string> found = findings(d.finish(7));
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  BOOST_TEST(found[0].find("a page,") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unused_stream_is_found_whatever_its_dictionary_claims) {
  // A reader draws whatever /Contents names: metadata, colour profiles and font programs are no
  // safer places to keep content than an untyped stream.
  for (const std::string dict : {"/Type /Metadata /Subtype /XML", "/N 3", "/Length1 40", "/Type /EmbeddedFile"}) {
    Doc d;
    d.b.stream(6, dict, "BT /F1 12 Tf 72 720 Td (Pay 1000000) Tj ET");
    const std::vector<std::string> found = findings(d.finish(7));
    BOOST_REQUIRE_EQUAL(found.size(), 1u);
    BOOST_TEST(found[0].find("object 6 0, a ") == 0u, found[0]);
    BOOST_TEST(found[0].find("stream") != std::string::npos, found[0]);
  }
  // Nothing to show: an empty stream, a form that clips everything away.
  Doc empty;
  empty.b.stream(6, "", "");
  empty.b.stream(7, "/Subtype /Form /BBox [0 0 0 0]", "BT /F1 12 Tf (x) Tj ET");
  BOOST_TEST(findings(empty.finish(8)).empty());
}

BOOST_AUTO_TEST_CASE(a_definition_no_cross_reference_reaches_is_found) {
  Doc d;
  const std::size_t first = d.b.xref_table("/Size 6 /Root 1 0 R");
  std::string file = d.b.finish(first);
  // An update whose bytes carry object 9 between its objects, outside its xref section.
  file += "9 0 obj\n<</Length 20>>\nstream\nBT (Pay 1000000) Tj ET\nendstream\nendobj\n";
  PdfBuilder update(file);
  update.object(1, "<</Type /Catalog /Pages 2 0 R>>");
  file = update.finish(update.xref_table("/Size 6 /Root 1 0 R /Prev " + std::to_string(first), " \n", false));
  const std::vector<std::string> found = findings(file);
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  BOOST_TEST(found[0] == "an object definition at offset " + std::to_string(file.find("9 0 obj")) +
                             " that no cross-reference entry reaches");
}

BOOST_AUTO_TEST_CASE(layers_off_by_default_that_the_pages_use_are_found) {
  const std::string props = " /OCProperties <</OCGs [6 0 R] /D <</OFF [6 0 R]>>>>";
  Doc used(props, " /Properties <</L1 6 0 R>>");
  used.b.object(6, "<</Type /OCG /Name (Hidden terms)>>");
  const std::vector<std::string> found = findings(used.finish(7));
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  BOOST_TEST(found[0].find("'Hidden terms'") != std::string::npos);
  // BaseState /OFF turns off every group not listed /ON.
  Doc base(" /OCProperties <</OCGs [6 0 R] /D <</BaseState /OFF>>>>", " /Properties <</L1 6 0 R>>");
  base.b.object(6, "<</Type /OCG /Name (L1)>>");
  BOOST_TEST(findings(base.finish(7)).size() == 1u);
  // A group that is on, or off but used by nothing, hides nothing.
  Doc on(" /OCProperties <</OCGs [6 0 R] /D <</ON [6 0 R]>>>>", " /Properties <</L1 6 0 R>>");
  on.b.object(6, "<</Type /OCG /Name (L1)>>");
  BOOST_TEST(findings(on.finish(7)).empty());
  Doc unused(props);
  unused.b.object(6, "<</Type /OCG /Name (L1)>>");
  BOOST_TEST(findings(unused.finish(7)).empty());
}

BOOST_AUTO_TEST_CASE(content_an_update_replaced_is_found_in_the_earlier_revision) {
  Doc d;
  const std::size_t first = d.b.xref_table("/Size 6 /Root 1 0 R");
  std::string file = d.b.finish(first);
  // An update rewrites the page's content 4; the old body stays in the file, where an update
  // pointing the cross-reference back at its offset would revive it.
  d.b.stream(4, "", "BT /F1 12 Tf 72 720 Td (Pay 10 - harmless) Tj ET");
  file = d.b.finish(d.b.xref_table("/Size 6 /Root 1 0 R /Prev " + std::to_string(first), " \n", false));
  const std::vector<std::string> found = findings(file);
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  BOOST_TEST(found[0].find("object 4 0 at offset") == 0u);
  BOOST_TEST(found[0].find("a content stream of an earlier revision") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_update_that_only_changes_a_page_dictionary_hides_nothing) {
  Doc d;
  const std::size_t first = d.b.xref_table("/Size 6 /Root 1 0 R");
  std::string file = d.b.finish(first);
  d.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Rotate 90 /Resources <</Font <</F1 5 0 R>>>>>>");
  file = d.b.finish(d.b.xref_table("/Size 6 /Root 1 0 R /Prev " + std::to_string(first), " \n", false));
  BOOST_TEST(findings(file).empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::pdf
