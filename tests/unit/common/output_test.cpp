// OutputFile: temp file beside the target, fsync and no-clobber rename; nothing under the final
// name before commit, after an abort or after a crash; the requested permissions.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <vector>

#include "esign/error.h"
#include "esign/output.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> temporaries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (is_temporary_output(e.path())) out.push_back(e.path());
  return out;
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

template <class F>
Errc error_kind(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  throw std::logic_error("no esign::Error was thrown");
}

// Sets the umask for one scope.
struct Umask {
  mode_t old;
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(output_file)

BOOST_AUTO_TEST_CASE(commit_puts_exactly_the_written_bytes_under_the_target_name) {
  test::TempDir dir;
  const fs::path target = dir / "out.bin";
  {
    OutputFile out(target, false);
    out.write(as_bytes("hello, "));
    out.write({});
    out.write(as_bytes(std::string(100000, 'x')));
    out.commit();
  }
  BOOST_TEST(test::read_file(target) == "hello, " + std::string(100000, 'x'));
  BOOST_TEST(entries(dir.path()) == 1u, "no temporary left beside the output");
}

BOOST_AUTO_TEST_CASE(before_commit_only_a_temporary_exists_beside_the_target) {
  test::TempDir dir;
  const fs::path target = dir / "report.pdf";
  OutputFile out(target, false);
  out.write(as_bytes("partial"));
  BOOST_TEST(!fs::exists(target));
  const std::vector<fs::path> temps = temporaries(dir.path());
  BOOST_REQUIRE_EQUAL(temps.size(), 1u);
  BOOST_TEST(temps[0].parent_path() == dir.path(), "same folder, so the rename is atomic");
  BOOST_TEST(temps[0].filename().string().rfind(".report.pdf.esign-tmp-", 0) == 0u);
  out.commit();
  BOOST_TEST(fs::exists(target));
  BOOST_TEST(temporaries(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(an_output_abandoned_without_commit_leaves_nothing) {
  test::TempDir dir;
  const fs::path target = dir / "out.p7s";
  try {
    OutputFile out(target, false);
    out.write(as_bytes("half of a signature"));
    throw std::runtime_error("the signer failed");
  } catch (const std::runtime_error&) {
  }
  BOOST_TEST(!fs::exists(target));
  BOOST_TEST(entries(dir.path()) == 0u);
}

// A crash (no destructors run) never leaves a partial file under the final name; what it leaves is
// recognisable as a temporary, so a later run can clean it up.
BOOST_AUTO_TEST_CASE(a_crash_before_commit_leaves_only_a_recognisable_temporary) {
  test::TempDir dir;
  const fs::path target = dir / "crash.pdf";
  pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    OutputFile out(target, false);
    out.write(as_bytes(std::string(1 << 20, 'p')));
    ::kill(::getpid(), SIGKILL);
    ::_exit(0);
  }
  int status = 0;
  BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
  BOOST_TEST(WIFSIGNALED(status));
  BOOST_TEST(!fs::exists(target));
  BOOST_TEST(temporaries(dir.path()).size() == 1u);
  BOOST_TEST(entries(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(an_existing_target_is_a_conflict_and_is_left_alone) {
  test::TempDir dir;
  const fs::path target = dir / "exists.txt";
  test::write_file(target, "original");
  BOOST_TEST((error_kind([&] { OutputFile out(target, false); }) == Errc::conflict));
  BOOST_TEST(test::read_file(target) == "original");
  BOOST_TEST(entries(dir.path()) == 1u);
}

// Another process creates the target while the output is being written: commit refuses to
// clobber it (RENAME_NOREPLACE), keeps it intact and removes the temporary.
BOOST_AUTO_TEST_CASE(a_target_that_appears_before_commit_is_not_clobbered) {
  test::TempDir dir;
  const fs::path target = dir / "race.txt";
  {
    OutputFile out(target, false);
    out.write(as_bytes("mine"));
    test::write_file(target, "theirs");
    BOOST_TEST((error_kind([&] { out.commit(); }) == Errc::conflict));
  }
  BOOST_TEST(test::read_file(target) == "theirs");
  BOOST_TEST(entries(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(overwrite_replaces_the_target_with_a_new_file) {
  test::TempDir dir;
  const fs::path target = dir / "replace.txt";
  test::write_file(target, "old contents, longer than the new ones");
  const ino_t before = inode_of(target);
  // A reader that has the old file open keeps reading the old bytes: the new file is renamed over it.
  std::ifstream reader(target, std::ios::binary);
  {
    OutputFile out(target, true);
    out.write(as_bytes("new"));
    out.commit();
  }
  BOOST_TEST(test::read_file(target) == "new");
  BOOST_TEST(inode_of(target) != before);
  std::string old((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  BOOST_TEST(old == "old contents, longer than the new ones");
  BOOST_TEST(entries(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(permissions_are_the_requested_mode_less_the_umask) {
  test::TempDir dir;
  Umask lax(0);
  {
    OutputFile secret(dir / "secret.key", false, 0600);
    // Already while it is being written: nobody else can read the temporary.
    const std::vector<fs::path> temps = temporaries(dir.path());
    BOOST_REQUIRE_EQUAL(temps.size(), 1u);
    BOOST_TEST(mode_of(temps[0]) == 0600u);
    secret.write(as_bytes("k"));
    secret.commit();
  }
  BOOST_TEST(mode_of(dir / "secret.key") == 0600u);
  {
    OutputFile normal(dir / "normal.pdf", false);
    normal.commit();
  }
  BOOST_TEST(mode_of(dir / "normal.pdf") == 0644u);
  // A stricter umask is honoured, as by any command that creates files.
  Umask strict(077);
  {
    OutputFile private_output(dir / "private.pdf", false);
    private_output.commit();
  }
  BOOST_TEST(mode_of(dir / "private.pdf") == 0600u);
}

BOOST_AUTO_TEST_CASE(parts_are_written_in_order_in_one_call) {
  test::TempDir dir;
  std::string big(3 << 20, 'b');
  {
    OutputFile out(dir / "parts.bin", false);
    out.write({as_bytes(std::string_view("head-")), ByteView{}, as_bytes(big), as_bytes(std::string_view("-tail"))});
    out.commit();
  }
  BOOST_TEST(test::read_file(dir / "parts.bin") == "head-" + big + "-tail");
}

BOOST_AUTO_TEST_CASE(temporaries_of_one_process_have_distinct_names) {
  test::TempDir dir;
  OutputFile a(dir / "same.pdf", false), b(dir / "same.pdf", false);
  const std::vector<fs::path> temps = temporaries(dir.path());
  BOOST_REQUIRE_EQUAL(temps.size(), 2u);
  BOOST_TEST(temps[0] != temps[1]);
}

BOOST_AUTO_TEST_CASE(a_folder_that_cannot_take_the_file_is_an_input_error) {
  test::TempDir dir;
  BOOST_TEST((error_kind([&] { OutputFile out(dir / "missing" / "out.pdf", false); }) == Errc::input));
  test::write_file(dir / "file", "x");
  BOOST_TEST((error_kind([&] { OutputFile out(dir / "file" / "out.pdf", false); }) == Errc::input));
  try {
    OutputFile out(dir / "missing" / "out.pdf", false);
  } catch (const Error& e) {
    BOOST_TEST(e.subject() == (dir / "missing" / "out.pdf").string());
  }
}

BOOST_AUTO_TEST_CASE(dash_writes_to_standard_output_without_a_temporary) {
  test::TempDir dir;
  const fs::path captured = dir / "stdout.txt";
  const int saved = ::dup(STDOUT_FILENO);
  const int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  BOOST_REQUIRE(saved >= 0);
  BOOST_REQUIRE(fd >= 0);
  ::fflush(stdout);
  ::dup2(fd, STDOUT_FILENO);
  ::close(fd);
  bool threw = false;
  try {
    OutputFile out("-", false);
    BOOST_CHECK(out.to_stdout());
    out.write(as_bytes("to stdout"));
    out.commit();
    threw = error_kind([&] { out.release(); }) == Errc::internal;
  } catch (...) {
    ::dup2(saved, STDOUT_FILENO);
    throw;
  }
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  BOOST_TEST(threw, "standard output cannot be released");
  BOOST_TEST(test::read_file(captured) == "to stdout");
  BOOST_TEST(entries(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(a_released_temporary_belongs_to_the_caller_until_commit_prepared) {
  test::TempDir dir;
  const fs::path target = dir / "batched.pdf";
  fs::path temp;
  {
    OutputFile out(target, false);
    out.write(as_bytes("batched"));
    temp = out.release();
  }
  BOOST_TEST(fs::exists(temp), "the destructor leaves a released temporary alone");
  BOOST_TEST(is_temporary_output(temp));
  BOOST_TEST(!fs::exists(target));
  BOOST_TEST(test::read_file(temp) == "batched");
  sync_filesystem(temp);
  commit_prepared(temp, target, false);
  sync_folder(dir.path());
  BOOST_TEST(test::read_file(target) == "batched");
  BOOST_TEST(!fs::exists(temp));
}

BOOST_AUTO_TEST_CASE(commit_prepared_onto_an_existing_target_removes_the_temporary) {
  test::TempDir dir;
  const fs::path target = dir / "taken.pdf";
  test::write_file(target, "someone else's");
  fs::path temp;
  {
    OutputFile out(target, true);
    out.write(as_bytes("ours"));
    temp = out.release();
  }
  BOOST_TEST((error_kind([&] { commit_prepared(temp, target, false); }) == Errc::conflict));
  BOOST_TEST(test::read_file(target) == "someone else's");
  BOOST_TEST(!fs::exists(temp));
  // With overwrite the same move replaces it.
  {
    OutputFile out(target, true);
    out.write(as_bytes("ours"));
    temp = out.release();
  }
  commit_prepared(temp, target, true);
  BOOST_TEST(test::read_file(target) == "ours");
  BOOST_TEST(entries(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(temporary_names_are_recognised_and_nothing_else) {
  BOOST_TEST(is_temporary_output("/out/.report.pdf.esign-tmp-Ab12Cd"));
  BOOST_TEST(is_temporary_output(".x.esign-tmp-000000"));
  BOOST_TEST(!is_temporary_output("/out/report.pdf"));
  BOOST_TEST(!is_temporary_output("/out/report.esign-tmp-Ab12Cd"), "not hidden: a user's file");
  BOOST_TEST(!is_temporary_output("/out/.hidden.pdf"));
  BOOST_TEST(!is_temporary_output("/out/.esign-tmp-dir/report.pdf"), "only the file name counts");
  BOOST_TEST(!is_temporary_output(""));
}

BOOST_AUTO_TEST_CASE(sync_filesystem_of_a_missing_path_is_an_input_error) {
  test::TempDir dir;
  BOOST_TEST((error_kind([&] { sync_filesystem(dir / "missing"); }) == Errc::input));
  BOOST_CHECK_NO_THROW(sync_filesystem(dir.path()));
  BOOST_CHECK_NO_THROW(sync_folder(dir / "missing"));  // best effort, never throws
}

BOOST_AUTO_TEST_SUITE_END()
