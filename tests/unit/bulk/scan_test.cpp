// scan_folder: what a bulk job takes from its input folder (globs, hidden files, sub-folders,
// symlinks, the output folder) and in which order.
#define BOOST_TEST_MODULE bulk
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "bulk/scan.h"
#include "esign/error.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> paths(const std::vector<bulk::ScannedFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path);
  return out;
}

std::vector<std::string> scan(const fs::path& dir, bulk::ScanRules rules = {}) {
  return paths(bulk::scan_folder(dir, rules));
}

// in/: a.pdf b.txt c.PDF .hidden.pdf .git/config sub/d.pdf sub/deeper/e.pdf .cache/f.pdf
struct Tree {
  test::TempDir dir;
  fs::path in = dir / "in";
  Tree() {
    for (const char* f : {"a.pdf", "b.txt", "c.PDF", ".hidden.pdf", ".git/config", "sub/d.pdf", "sub/deeper/e.pdf",
                          ".cache/f.pdf", "z.pdf"}) {
      fs::create_directories((in / f).parent_path());
      test::write_file(in / f, std::string("content of ") + f);
    }
  }
};

using V = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(folder_scan)

BOOST_AUTO_TEST_CASE(top_level_files_only_sorted_hidden_ones_left_out) {
  Tree t;
  BOOST_TEST(scan(t.in) == (V{"a.pdf", "b.txt", "c.PDF", "z.pdf"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(recursive_descends_into_sub_folders_but_not_hidden_ones) {
  Tree t;
  bulk::ScanRules r;
  r.recursive = true;
  BOOST_TEST(scan(t.in, r) == (V{"a.pdf", "b.txt", "c.PDF", "sub/d.pdf", "sub/deeper/e.pdf", "z.pdf"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sizes_and_modification_times_are_recorded) {
  Tree t;
  const auto files = bulk::scan_folder(t.in, {});
  BOOST_REQUIRE(!files.empty());
  BOOST_TEST(files[0].path == "a.pdf");
  BOOST_TEST(files[0].size == static_cast<std::int64_t>(std::string("content of a.pdf").size()));
  struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 123456789}};
  BOOST_REQUIRE(::utimensat(AT_FDCWD, (t.in / "a.pdf").c_str(), times, 0) == 0);
  BOOST_TEST(bulk::scan_folder(t.in, {})[0].mtime_ns == 1700000000123456789LL);
}

BOOST_AUTO_TEST_CASE(include_globs_select_by_name_case_sensitively) {
  Tree t;
  bulk::ScanRules r;
  r.recursive = true;
  r.include = {"*.pdf"};
  BOOST_TEST(scan(t.in, r) == (V{"a.pdf", "sub/d.pdf", "sub/deeper/e.pdf", "z.pdf"}), boost::test_tools::per_element());
  r.include = {"*.pdf", "*.PDF"};
  BOOST_TEST(scan(t.in, r).size() == 5u);
  r.include = {"[ab].*"};
  BOOST_TEST(scan(t.in, r) == (V{"a.pdf", "b.txt"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(exclude_globs_win_over_include_globs) {
  Tree t;
  bulk::ScanRules r;
  r.recursive = true;
  r.include = {"*.pdf"};
  r.exclude = {"e.*", "z.pdf"};
  BOOST_TEST(scan(t.in, r) == (V{"a.pdf", "sub/d.pdf"}), boost::test_tools::per_element());
}

// With a '/', a glob matches the relative path, and '*' does not cross folders (FNM_PATHNAME).
BOOST_AUTO_TEST_CASE(globs_with_a_slash_match_the_relative_path) {
  Tree t;
  bulk::ScanRules r;
  r.recursive = true;
  r.include = {"sub/*.pdf"};
  BOOST_TEST(scan(t.in, r) == (V{"sub/d.pdf"}), boost::test_tools::per_element());
  r.include = {"sub/*/*.pdf"};
  BOOST_TEST(scan(t.in, r) == (V{"sub/deeper/e.pdf"}), boost::test_tools::per_element());
  r.include = {};
  r.exclude = {"sub/*"};
  BOOST_TEST(scan(t.in, r) == (V{"a.pdf", "b.txt", "c.PDF", "sub/deeper/e.pdf", "z.pdf"}), boost::test_tools::per_element());
}

// The output folder is never scanned, so signed outputs are not signed again.
BOOST_AUTO_TEST_CASE(the_skip_folder_is_not_descended) {
  Tree t;
  fs::create_directories(t.in / "signed");
  test::write_file(t.in / "signed" / "a.pdf.p7s", "an output");
  bulk::ScanRules r;
  r.recursive = true;
  r.skip_dir = t.in / "signed";
  const V got = scan(t.in, r);
  BOOST_TEST((std::find(got.begin(), got.end(), "signed/a.pdf.p7s") == got.end()));
  BOOST_TEST(got.size() == 6u);
  // Named through a different spelling of the same folder.
  r.skip_dir = t.in / "sub" / ".." / "signed";
  const V again = scan(t.in, r);
  BOOST_TEST((std::find(again.begin(), again.end(), "signed/a.pdf.p7s") == again.end()));
}

// A link to a file stands for that file; a link to a folder is not followed (no loops, no
// escaping the input folder); a dangling link is nothing.
BOOST_AUTO_TEST_CASE(symlinks_to_files_count_links_to_folders_are_not_followed) {
  Tree t;
  test::write_file(t.dir / "outside.pdf", "outside");
  fs::create_directories(t.dir / "elsewhere");
  test::write_file(t.dir / "elsewhere" / "g.pdf", "elsewhere");
  fs::create_symlink(t.dir / "outside.pdf", t.in / "link.pdf");
  fs::create_symlink(t.dir / "elsewhere", t.in / "linked-folder");
  fs::create_symlink(t.in, t.in / "sub" / "loop");
  fs::create_symlink(t.dir / "gone.pdf", t.in / "dangling.pdf");
  bulk::ScanRules r;
  r.recursive = true;
  BOOST_TEST(scan(t.in, r) == (V{"a.pdf", "b.txt", "c.PDF", "link.pdf", "sub/d.pdf", "sub/deeper/e.pdf", "z.pdf"}),
             boost::test_tools::per_element());
  const auto files = bulk::scan_folder(t.in, r);
  BOOST_TEST(files[3].size == 7, "the size of the file the link names");
}

BOOST_AUTO_TEST_CASE(fifos_and_other_special_files_are_left_out) {
  Tree t;
  BOOST_REQUIRE(::mkfifo((t.in / "pipe.pdf").c_str(), 0600) == 0);
  BOOST_TEST(scan(t.in) == (V{"a.pdf", "b.txt", "c.PDF", "z.pdf"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_empty_folder_has_no_files) {
  test::TempDir dir;
  BOOST_TEST(scan(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(a_missing_folder_or_a_file_is_a_usage_error) {
  test::TempDir dir;
  test::write_file(dir / "file.pdf", "x");
  for (const fs::path& p : {dir / "missing", dir / "file.pdf"}) {
    try {
      bulk::scan_folder(p, {});
      BOOST_ERROR(p << " scanned");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::usage));
      BOOST_TEST(e.subject() == p.string());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
