// Tests of the revision analysis: what an incremental update after a signature may change, and
// the structural tricks that must not pass as validation data, file structure or signatures.
#define BOOST_TEST_MODULE unit_verify
#include <boost/test/unit_test.hpp>

#include <string>

#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/layout.h"
#include "pdf_builder.h"
#include "verify/revisions.h"

namespace esign::verify {
namespace {

using pdf::test::PdfBuilder;

// A signed revision: catalog 1 (with an AcroForm 6 holding the empty signature field 5 on page
// 3), pages 2, page 3, content 4. Ends after its %%EOF; `xref` is its section's offset.
struct Base {
  PdfBuilder b;
  std::string bytes;
  std::size_t xref = 0;
  // `form`: the form also has a text field, Parties.Amount: a parent field 7 whose widget 8 (on
  // page 3) carries the value; and page 3 a text note 9 with its pop-up 10.
  explicit Base(bool form = false) {
    b.object(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 6 0 R>>");
    b.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
    b.object(3, std::string("<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R") +
                    (form ? " 8 0 R 9 0 R 10 0 R" : "") + "]>>");
    b.stream(4, "", "BT /F1 12 Tf 72 720 Td (Pay 10) Tj ET");
    b.object(5, "<</Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /Rect [0 0 0 0] /P 3 0 R>>");
    b.object(6, form ? "<</Fields [5 0 R 7 0 R] /SigFlags 3>>" : "<</Fields [5 0 R] /SigFlags 3>>");
    if (form) {
      b.object(7, "<</T (Parties) /FT /Tx /Kids [8 0 R]>>");
      b.object(8, "<</Type /Annot /Subtype /Widget /T (Amount) /Parent 7 0 R /Rect [72 500 372 560] /P 3 0 R>>");
      b.object(9, "<</Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (note) /Popup 10 0 R /P 3 0 R>>");
      b.object(10, "<</Type /Annot /Subtype /Popup /Parent 9 0 R /Rect [30 30 200 100] /P 3 0 R>>");
    }
    xref = b.xref_table(form ? "/Size 11 /Root 1 0 R" : "/Size 7 /Root 1 0 R");
    bytes = b.finish(xref);
  }
  // Ends the update written since the base with a table section; returns the whole file.
  std::string finish_update(std::uint32_t size = 7) {
    const std::size_t at = b.xref_table("/Size " + std::to_string(size) + " /Root 1 0 R /Prev " + std::to_string(xref), " \n", false);
    return b.finish(at);
  }
};

std::vector<RevisionReport> analyse(const std::string& file, std::size_t from, const std::vector<SignedRevision>& signatures = {}) {
  return later_revisions(as_bytes(file), from, "test.pdf", signatures, pdf::Limits{});
}

// The first change the single later revision did not allow, or "" when all were allowed.
std::string first_refused(const std::vector<RevisionReport>& revisions) {
  BOOST_REQUIRE_EQUAL(revisions.size(), 1u);
  for (const ObjectChange& c : revisions[0].changes)
    if (!c.allowed) return c.object + " " + c.change + ": " + c.what;
  BOOST_TEST(revisions[0].allowed);
  return "";
}

const std::string kNewText = "BT /F1 12 Tf 72 720 Td (Pay 1000000) Tj ET";

}  // namespace

BOOST_AUTO_TEST_SUITE(revisions)

BOOST_AUTO_TEST_CASE(validation_data_in_new_streams_is_allowed) {
  Base base;
  base.b.stream(7, "", "0\x82 certificate bytes");
  base.b.object(8, "<</Type /DSS /Certs [7 0 R]>>");
  base.b.object(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /DSS 8 0 R>>");
  const std::string file = base.finish_update(9);
  BOOST_TEST(first_refused(analyse(file, base.bytes.size())) == "");
}

BOOST_AUTO_TEST_CASE(a_dss_that_lists_the_page_content_does_not_make_it_validation_data) {
  Base base;
  base.b.stream(4, "", kNewText);
  base.b.object(8, "<</Type /DSS /Certs [4 0 R]>>");
  base.b.object(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /DSS 8 0 R>>");
  const std::string refused = first_refused(analyse(base.finish_update(9), base.bytes.size()));
  BOOST_TEST(refused.find("4 0 modified") == 0, refused);
}

BOOST_AUTO_TEST_CASE(a_body_that_claims_to_be_an_object_stream_is_still_the_page_content) {
  for (const std::string type : {"/Type /ObjStm /N 0 /First 0", "/Type /XRef /Size 7 /W [1 1 1]"}) {
    Base base;
    base.b.stream(4, type, kNewText);
    const std::string refused = first_refused(analyse(base.finish_update(), base.bytes.size()));
    BOOST_TEST(refused.find("4 0 modified") == 0, type << ": " << refused);
  }
}

BOOST_AUTO_TEST_CASE(only_widgets_and_field_dictionaries_are_signature_fields) {
  const std::string annotations[] = {
      "<</Type /Annot /Subtype /FreeText /FT /Sig /Rect [0 0 600 800] /Contents (PAID)>>",
      "<</Type /Annot /Subtype /FreeText /Parent 5 0 R /Rect [0 0 600 800] /Contents (PAID)>>",
      "<</Type /Annot /Subtype /Link /FT /Sig /Rect [0 0 600 800] /A <</S /URI /URI (http://127.0.0.1/)>>>>",
      "<</Type /Annot /Subtype /Widget /FT /Sig /T (S2) /Rect [0 0 0 0] /A <</S /JavaScript /JS (app.alert(1))>>>>",
  };
  for (const std::string& annotation : annotations) {
    Base base;
    base.b.object(7, annotation);
    base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R 7 0 R]>>");
    BOOST_TEST(first_refused(analyse(base.finish_update(8), base.bytes.size())) != "", annotation);
  }
}

BOOST_AUTO_TEST_CASE(a_field_is_filled_only_by_a_valid_signature_of_that_update) {
  const auto fill = [](Base& base) {
    base.b.object(7, "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Contents <00>>>");
    base.b.object(5, "<</Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /Rect [0 0 0 0] /P 3 0 R /V 7 0 R>>");
    return base.finish_update(8);
  };
  {
    Base base;
    const std::string file = fill(base);
    BOOST_TEST(first_refused(analyse(file, base.bytes.size(), {{pdf::Ref{7, 0}, file.size(), true}})) == "");
  }
  {
    Base base;
    const std::string file = fill(base);
    BOOST_TEST(first_refused(analyse(file, base.bytes.size(), {{pdf::Ref{7, 0}, file.size(), false}})) != "");
  }
  {
    Base base;
    const std::string file = fill(base);
    BOOST_TEST(first_refused(analyse(file, base.bytes.size())) != "");  // no signature uses it
  }
  {
    Base base;  // a string value and an appearance, no signature
    base.b.stream(7, "/Type /XObject /Subtype /Form /BBox [0 0 100 20]", "BT (APPROVED) Tj ET");
    base.b.object(5, "<</Type /Annot /Subtype /Widget /FT /Sig /T (Approval) /Rect [0 0 100 20] /P 3 0 R /V (x) /AP <</N 7 0 R>>>>");
    BOOST_TEST(first_refused(analyse(base.finish_update(8), base.bytes.size())) != "");
  }
}

// Anyone can get a document time-stamp from a trusted TSA: it proves a time, not an author, so
// it cannot carry an appearance that paints over the page.
BOOST_AUTO_TEST_CASE(a_document_timestamp_field_must_be_invisible) {
  for (const bool visible : {false, true}) {
    Base base;
    base.b.object(7, "<</Type /DocTimeStamp /SubFilter /ETSI.RFC3161 /Contents <00>>>");
    base.b.stream(8, "/Type /XObject /Subtype /Form /BBox [0 0 600 800]", "BT (PAID IN FULL) Tj ET");
    base.b.object(9, std::string("<</Type /Annot /Subtype /Widget /FT /Sig /T (TS) /P 3 0 R /V 7 0 R /AP <</N 8 0 R>> /Rect ") +
                         (visible ? "[0 0 600 800]" : "[0 0 0 0]") + ">>");
    base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R 9 0 R]>>");
    base.b.object(6, "<</Fields [5 0 R 9 0 R] /SigFlags 3>>");
    const std::string file = base.finish_update(10);
    const std::string refused = first_refused(analyse(file, base.bytes.size(), {{pdf::Ref{7, 0}, file.size(), true, true}}));
    if (visible) BOOST_TEST(refused.find("a document time-stamp with a visible appearance") != std::string::npos, refused);
    else BOOST_TEST(refused == "");
  }
}

BOOST_AUTO_TEST_CASE(an_unsigned_visible_signature_field_is_not_allowed) {
  Base base;
  base.b.stream(8, "/Type /XObject /Subtype /Form /BBox [0 0 600 800]", "BT (PAID) Tj ET");
  base.b.object(7, "<</Type /Annot /Subtype /Widget /FT /Sig /T (S2) /Rect [0 0 600 800] /P 3 0 R /AP <</N 8 0 R>>>>");
  base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R 7 0 R]>>");
  base.b.object(6, "<</Fields [5 0 R 7 0 R] /SigFlags 3>>");
  const std::string refused = first_refused(analyse(base.finish_update(9), base.bytes.size()));
  BOOST_TEST(refused.find("unsigned") != std::string::npos, refused);
}

BOOST_AUTO_TEST_CASE(an_update_that_frees_a_signed_object_deletes_it) {
  Base base;
  base.b.raw("xref\n0 1\n0000000000 65535 f \n4 1\n0000000000 00001 f \ntrailer\n<</Size 7 /Root 1 0 R /Prev " +
             std::to_string(base.xref) + ">>\n");
  const std::size_t at = base.bytes.size();
  const std::string file = base.b.finish(at);
  const std::string refused = first_refused(analyse(file, base.bytes.size()));
  BOOST_TEST(refused == "4 0 deleted: object", refused);
}

BOOST_AUTO_TEST_CASE(an_object_definition_no_xref_entry_reaches_is_a_modification) {
  Base base;
  base.b.raw("4 0 obj\n<</Length " + std::to_string(kNewText.size()) + ">>\nstream\n" + kNewText + "\nendstream\nendobj\n");
  base.b.stream(7, "", "0\x82 certificate bytes");  // an allowed DSS update the table does list
  base.b.object(8, "<</Type /DSS /Certs [7 0 R]>>");
  base.b.object(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /DSS 8 0 R>>");
  const std::string file = base.finish_update(9);
  const std::vector<RevisionReport> revisions = analyse(file, base.bytes.size());
  const std::string refused = first_refused(revisions);
  BOOST_TEST(refused.find("4 0 added: an object definition at offset") == 0, refused);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_objects_in_an_update_are_a_modification) {
  Base base;
  base.b.raw("garbage that no reader should see\n");
  const std::string file = base.finish_update();
  const std::string refused = first_refused(analyse(file, base.bytes.size()));
  BOOST_TEST(refused.find("update added: unreadable bytes") == 0, refused);
}

// Readers that find the cross-reference damaged rebuild it by scanning for `N G obj`: an update
// may hold no such header but its own objects', not even inside a stream or a comment.
BOOST_AUTO_TEST_CASE(object_definitions_hidden_in_streams_or_comments_are_modifications) {
  const std::string hidden = "4 0 obj\n<</Length 5>>\nstream\nHELLO\nendstream\nendobj\n";
  for (const bool in_comment : {false, true}) {
    Base base;
    if (in_comment) {
      base.b.raw("%" + std::string(300, ' ') + hidden.substr(0, hidden.find('\n')) + "\n");
      base.b.object(7, "<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>");
    } else {
      base.b.stream(7, "", hidden);
    }
    base.b.object(6, "<</Fields [5 0 R] /SigFlags 3 /DR <</Font <</Helv 7 0 R>>>>>>");
    const std::string refused = first_refused(analyse(base.finish_update(8), base.bytes.size()));
    BOOST_TEST(refused.find("update added: an object definition hidden at offset") == 0, refused);
  }
}

BOOST_AUTO_TEST_CASE(the_document_information_dictionary_stays_the_same_object) {
  {
    Base base;  // a new /Info where the signed revision had none, with more than tools set
    base.b.object(7, "<</Title (Amended) /ModDate (D:20261203000000Z)>>");
    const std::size_t at = base.b.xref_table("/Size 8 /Root 1 0 R /Info 7 0 R /Prev " + std::to_string(base.xref), " \n", false);
    const std::string refused = first_refused(analyse(base.b.finish(at), base.bytes.size()));
    BOOST_TEST(refused.find("trailer modified: the document information dictionary was replaced") == 0, refused);
  }
  {
    Base base;  // what signing tools add: /ModDate and /Producer only
    base.b.object(7, "<</Producer (a signer) /ModDate (D:20261203000000Z)>>");
    const std::size_t at = base.b.xref_table("/Size 8 /Root 1 0 R /Info 7 0 R /Prev " + std::to_string(base.xref), " \n", false);
    BOOST_TEST(first_refused(analyse(base.b.finish(at), base.bytes.size())) == "");
  }
  {
    Base base;  // a direct dictionary
    const std::size_t at = base.b.xref_table("/Size 7 /Root 1 0 R /Info <</Title (x)>> /Prev " + std::to_string(base.xref), " \n", false);
    BOOST_TEST(first_refused(analyse(base.b.finish(at), base.bytes.size())) != "");
  }
}

BOOST_AUTO_TEST_CASE(a_new_generation_of_a_signed_object_deletes_it) {
  Base base;  // the same bytes as generation 1: `4 0 R` on the page now names nothing
  base.b.object(4, "<</Length 37>>\nstream\nBT /F1 12 Tf 72 720 Td (Pay 10) Tj ET\nendstream", 1);
  const std::string refused = first_refused(analyse(base.finish_update(), base.bytes.size()));
  BOOST_TEST(refused == "4 0 deleted: object (its generation became 1)", refused);
}

BOOST_AUTO_TEST_CASE(field_trees_that_loop_or_fan_out_are_walked_once) {
  Base base;  // a field that is its own kid, twice: 2^32 paths if walked naively
  base.b.object(7, "<</FT /Sig /T (Loop) /Kids [7 0 R 7 0 R]>>");
  base.b.object(6, "<</Fields [5 0 R 7 0 R] /SigFlags 3>>");
  const std::vector<RevisionReport> revisions = analyse(base.finish_update(8), base.bytes.size());
  BOOST_TEST(revisions.size() == 1u);
}

BOOST_AUTO_TEST_CASE(long_annotation_lists_are_compared_in_linear_time) {
  Base base;
  std::string annots = "[5 0 R";
  for (int i = 0; i < 200000; ++i) annots += " 1";
  base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots " + annots + "]>>");
  const std::string refused = first_refused(analyse(base.finish_update(), base.bytes.size()));
  BOOST_TEST(refused.find("3 0 modified: page 1") == 0, refused);
}

BOOST_AUTO_TEST_CASE(headers_split_by_comments_or_nul_are_found) {
  for (const std::string& split : {std::string("4 %x\n0 obj"), std::string("4 0 %x\nobj"), std::string("4\0%x\n0 obj", 11)}) {
    Base base;
    base.b.stream(7, "", "\n" + split + "\n<</Length 5>>\nstream\nHELLO\nendstream\nendobj\n");
    base.b.object(6, "<</Fields [5 0 R] /SigFlags 3 /DR <</XObject <</X 7 0 R>>>>>>");
    const std::string refused = first_refused(analyse(base.finish_update(8), base.bytes.size()));
    BOOST_TEST(refused.find("update added: an object definition hidden at offset") == 0, refused);
  }
}

// A dangling reference makes readers rebuild the cross-reference; and a number the signed
// revision refers to is not free to take.
BOOST_AUTO_TEST_CASE(updates_write_no_dangling_references_and_fill_none) {
  {
    Base base;
    base.b.object(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /Version 99 0 R>>");
    const std::string refused = first_refused(analyse(base.finish_update(), base.bytes.size()));
    BOOST_TEST(refused == "1 0 modified: a reference to 99 0, which does not exist", refused);
  }
  {
    Base base;  // /Version must be a name even when it resolves
    base.b.object(7, "/2.0");
    base.b.object(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /Version 7 0 R>>");
    BOOST_TEST(first_refused(analyse(base.finish_update(8), base.bytes.size())) != "");
  }
  {
    PdfBuilder d;  // the signed page names 20 0 R, which did not exist; an update defines it
    d.object(1, "<</Type /Catalog /Pages 2 0 R>>");
    d.object(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>");
    d.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources <</XObject <</X1 20 0 R>>>>>>");
    d.stream(4, "", "/X1 Do");
    const std::size_t xref = d.xref_table("/Size 5 /Root 1 0 R");
    const std::string signed_bytes = d.finish(xref);
    d.stream(20, "/Type /XObject /Subtype /Form /BBox [0 0 600 800]", "BT (PAY MALLORY) Tj ET");
    const std::size_t at = d.xref_table("/Size 21 /Root 1 0 R /Prev " + std::to_string(xref), " \n", false);
    const std::string refused = first_refused(analyse(d.finish(at), signed_bytes.size()));
    BOOST_TEST(refused == "20 0 added: an object the signed revision refers to but did not have", refused);
  }
}

BOOST_AUTO_TEST_CASE(a_new_indirect_fields_array_listing_a_new_signature_field_is_allowed) {
  Base base;
  base.b.object(7, "<</Type /Annot /Subtype /Widget /FT /Sig /T (Second) /Rect [0 0 0 0] /P 3 0 R>>");
  base.b.object(8, "[5 0 R 7 0 R]");
  base.b.object(6, "<</Fields 8 0 R /SigFlags 3>>");
  base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [5 0 R 7 0 R]>>");
  BOOST_TEST(first_refused(analyse(base.finish_update(9), base.bytes.size())) == "");
}

// The one later revision's level, or `other` when a change was refused.
ChangeLevel level_of(const std::vector<RevisionReport>& revisions) {
  BOOST_REQUIRE_EQUAL(revisions.size(), 1u);
  return revisions[0].allowed ? revisions[0].level : ChangeLevel::other;
}

BOOST_AUTO_TEST_CASE(filling_an_existing_field_is_form_filling_under_its_qualified_name) {
  Base base(true);
  base.b.stream(11, "/Type /XObject /Subtype /Form /BBox [0 0 300 60]", "BT /F1 12 Tf 4 20 Td (1000 EUR) Tj ET");
  base.b.object(7, "<</T (Parties) /FT /Tx /Kids [8 0 R] /V (1000 EUR)>>");
  base.b.object(8, "<</Type /Annot /Subtype /Widget /T (Amount) /Parent 7 0 R /Rect [72 500 372 560] /P 3 0 R /AP <</N 11 0 R>>>>");
  const std::vector<RevisionReport> r = analyse(base.finish_update(12), base.bytes.size());
  BOOST_TEST(first_refused(r) == "");
  BOOST_TEST(static_cast<int>(r[0].level) == static_cast<int>(ChangeLevel::form_filling));
  for (const ObjectChange& c : r[0].changes)
    if (c.object == "8 0") BOOST_TEST(c.field == "Parties.Amount");
}

BOOST_AUTO_TEST_CASE(filling_a_field_may_not_move_hide_or_rename_it) {
  const std::string widgets[] = {
      "<</Type /Annot /Subtype /Widget /T (Amount) /Parent 7 0 R /Rect [0 0 612 792] /P 3 0 R>>",
      "<</Type /Annot /Subtype /Widget /T (Amount) /Parent 7 0 R /Rect [72 500 372 560] /P 3 0 R /F 2>>",
      "<</Type /Annot /Subtype /Widget /T (Total) /Parent 7 0 R /Rect [72 500 372 560] /P 3 0 R>>",
      "<</Type /Annot /Subtype /Widget /T (Amount) /Parent 7 0 R /Rect [72 500 372 560] /P 3 0 R /A <</S /JavaScript /JS (1)>>>>",
  };
  for (const std::string& widget : widgets) {
    Base base(true);
    base.b.object(8, widget);
    BOOST_TEST(first_refused(analyse(base.finish_update(11), base.bytes.size())) != "", widget);
  }
}

BOOST_AUTO_TEST_CASE(notes_added_changed_or_removed_are_annotations) {
  const std::pair<std::string, std::string> updates[] = {
      {"12", "<</Type /Annot /Subtype /Highlight /Rect [72 700 200 720] /QuadPoints [72 720 200 720 72 700 200 700]>>"},
      {"9", "<</Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (changed) /Popup 10 0 R /P 3 0 R>>"},
      {"", ""},  // the note and its pop-up removed from the page
  };
  for (const auto& [num, body] : updates) {
    Base base(true);
    std::string annots = "5 0 R 8 0 R 9 0 R 10 0 R";
    if (num == "12") annots += " 12 0 R";
    if (num.empty()) annots = "5 0 R 8 0 R";
    if (!num.empty()) base.b.object(static_cast<std::uint32_t>(std::stoul(num)), body);
    base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [" + annots + "]>>");
    const std::vector<RevisionReport> r = analyse(base.finish_update(13), base.bytes.size());
    BOOST_TEST(static_cast<int>(level_of(r)) == static_cast<int>(ChangeLevel::annotations), body);
  }
}

BOOST_AUTO_TEST_CASE(links_new_fields_and_removed_widgets_are_not_annotations) {
  const std::pair<std::string, std::string> updates[] = {
      {"12", "<</Type /Annot /Subtype /Link /Rect [0 0 612 792] /A <</S /URI /URI (http://127.0.0.1/)>>>>"},
      {"12", "<</Type /Annot /Subtype /Widget /FT /Tx /T (New) /Rect [0 0 612 792] /P 3 0 R>>"},
      {"12", "<</Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS (x.exe)>>"},
      {"12", "<</Type /Annot /Subtype /Square /Rect [0 0 10 10] /Parent 7 0 R>>"},
      {"", ""},  // the text field's widget removed from the page
  };
  for (const auto& [num, body] : updates) {
    Base base(true);
    std::string annots = num.empty() ? "5 0 R 9 0 R 10 0 R" : "5 0 R 8 0 R 9 0 R 10 0 R 12 0 R";
    if (!num.empty()) base.b.object(12, body);
    base.b.object(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots [" + annots + "]>>");
    BOOST_TEST(first_refused(analyse(base.finish_update(13), base.bytes.size())) != "", body);
  }
}

BOOST_AUTO_TEST_CASE(max_changes_names_a_level) {
  BOOST_TEST(static_cast<int>(parse_max_changes("lta", "x")) == static_cast<int>(ChangeLevel::signing));
  BOOST_TEST(static_cast<int>(parse_max_changes("form-filling", "x")) == static_cast<int>(ChangeLevel::form_filling));
  BOOST_TEST(static_cast<int>(parse_max_changes("annotations", "x")) == static_cast<int>(ChangeLevel::annotations));
  BOOST_CHECK_THROW(parse_max_changes("other", "x"), Error);
  BOOST_TEST(static_cast<int>(tolerated_changes(Certification::no_changes)) == static_cast<int>(ChangeLevel::validation_data));
  BOOST_TEST(static_cast<int>(tolerated_changes(Certification::form_filling)) == static_cast<int>(ChangeLevel::form_filling));
}

BOOST_AUTO_TEST_CASE(every_parse_draws_on_the_files_budget) {
  Base base;
  base.b.object(7, "<</Producer (x)>>");
  const std::string file = base.finish_update(8);
  pdf::Budget budget(0);  // the floor: enough for this small file once, not without end
  pdf::Limits limits;
  limits.budget = &budget;
  for (int i = 0; i < 512; ++i) (void)pdf::Document::parse(as_bytes(file), "test.pdf", limits);
  BOOST_CHECK_THROW(pdf::Document::parse(as_bytes(file), "test.pdf", limits), Error);
  BOOST_TEST(budget.exhausted());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::verify
