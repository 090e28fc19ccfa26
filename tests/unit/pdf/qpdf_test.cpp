// Tests of Document on files that qpdf writes: object streams, QDF, linearized and encrypted output.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "pdf/document.h"
#include "pdf_builder.h"

namespace esign::pdf {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "esign-pdf-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out << data;
}

struct QpdfFixture {
  TempDir dir;
  fs::path input = dir.path / "in.pdf";
  QpdfFixture() {
    test::PdfBuilder b = test::minimal_document(5);
    const std::size_t xref = b.xref_table("/Size 9 /Root 1 0 R");
    write(input, b.finish(xref));
  }
  // Runs qpdf with `args`, writing out.pdf; returns its bytes.
  std::string qpdf(const std::string& args) {
    const fs::path out = dir.path / "out.pdf";
    const std::string command = "qpdf " + args + " '" + input.string() + "' '" + out.string() + "' 2>&1";
    const int rc = std::system(command.c_str());
    BOOST_TEST_REQUIRE(rc == 0, command << " exited with " << rc);
    return read(out);
  }
};

void expect_five_pages(const Document& doc) {
  const std::vector<Ref> pages = doc.pages();
  BOOST_REQUIRE(pages.size() == 5u);
  for (const Ref& ref : pages) {
    const Object page = doc.get(ref);
    BOOST_TEST(page.find("Type")->get<Name>()->value == "Page");
    const Object contents = doc.resolve_key(*page.dict(), "Contents");
    const Stream* s = contents.get<Stream>();
    BOOST_REQUIRE(s);
    const Bytes data = doc.decode(*s);
    BOOST_TEST(std::string(data.begin(), data.end()).find("(Hello) Tj") != std::string::npos);
  }
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(qpdf_files, QpdfFixture)

BOOST_AUTO_TEST_CASE(hand_made_input_passes_qpdf_check) {
  const std::string command = "qpdf --check '" + input.string() + "' > /dev/null 2>&1";
  BOOST_TEST(std::system(command.c_str()) == 0);
  const std::string file = read(input);
  expect_five_pages(Document::parse(as_bytes(file), "test.pdf"));
}

BOOST_AUTO_TEST_CASE(qpdf_object_streams_output_resolves_compressed_objects) {
  const std::string file = qpdf("--object-streams=generate --compress-streams=y");
  const Document doc = Document::parse(as_bytes(file), "test.pdf");
  BOOST_TEST((doc.xref_kind() == XrefKind::stream));
  bool any_compressed = false;
  for (const auto& [num, entry] : doc.xref()) any_compressed |= entry.type == XrefEntry::Type::compressed;
  BOOST_TEST(any_compressed);
  expect_five_pages(doc);
}

BOOST_AUTO_TEST_CASE(qpdf_qdf_output_is_read) {
  const std::string file = qpdf("--qdf --object-streams=disable");
  const Document doc = Document::parse(as_bytes(file), "test.pdf");
  BOOST_TEST((doc.xref_kind() == XrefKind::table));
  expect_five_pages(doc);
}

BOOST_AUTO_TEST_CASE(qpdf_linearized_output_is_read) {
  const std::string file = qpdf("--linearize");
  expect_five_pages(Document::parse(as_bytes(file), "test.pdf"));
  const std::string streams = qpdf("--linearize --object-streams=generate");
  expect_five_pages(Document::parse(as_bytes(streams), "test.pdf"));
}

BOOST_AUTO_TEST_CASE(qpdf_encrypted_output_is_reported_as_encrypted) {
  const std::string file = qpdf("--encrypt user owner 256 --");
  const Document doc = Document::parse(as_bytes(file), "test.pdf");
  BOOST_TEST(doc.encrypted());
  BOOST_TEST(doc.pages().size() == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace esign::pdf
