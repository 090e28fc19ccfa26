// InputBytes: mapped regular files (empty, large, sparse), pipes and FIFOs read to the end,
// errors naming the path.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "common/file_map.h"
#include "esign/error.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + i / 7) & 0xff);
  return s;
}

// Writes `data` into `fd` from a thread and closes it (the reader sees EOF).
std::jthread writer(int fd, std::string data) {
  return std::jthread([fd, data = std::move(data)] {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::close(fd);
  });
}

// Replaces standard input for one scope.
struct StdinFrom {
  int saved;
  explicit StdinFrom(int fd) : saved(::dup(STDIN_FILENO)) {
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
  }
  ~StdinFrom() {
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(input_bytes)

BOOST_AUTO_TEST_CASE(a_regular_file_reads_back_byte_for_byte) {
  test::TempDir dir;
  const std::string data = pattern(200003);
  test::write_file(dir / "in.bin", data);
  InputBytes in = InputBytes::open(dir / "in.bin");
  BOOST_TEST(std::string(as_chars(in.bytes())) == data);
}

BOOST_AUTO_TEST_CASE(an_empty_file_is_empty_not_an_error) {
  test::TempDir dir;
  test::write_file(dir / "empty", "");
  InputBytes in = InputBytes::open(dir / "empty");
  BOOST_TEST(in.bytes().size() == 0u);
}

// Files whose size the kernel reports as 0 but that have contents (procfs) are read, not mapped.
BOOST_AUTO_TEST_CASE(a_file_with_size_zero_but_contents_is_read_to_its_end) {
  InputBytes in = InputBytes::open("/proc/self/status");
  const std::string text(as_chars(in.bytes()));
  BOOST_TEST(text.find("Name:") == 0u);
  BOOST_TEST(text.find("Pid:") != std::string::npos);
}

// Beyond 4 GiB: sizes are not truncated to 32 bits. The file is sparse, so this costs no disk.
BOOST_AUTO_TEST_CASE(a_file_larger_than_4_gib_maps_whole) {
  test::TempDir dir;
  const fs::path file = dir / "large.bin";
  const off_t size = (off_t{5} << 30) + 3;
  {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(::pwrite(fd, "head", 4, 0) == 4);
    BOOST_REQUIRE(::pwrite(fd, "tail", 4, size - 4) == 4);
    ::close(fd);
  }
  InputBytes in = InputBytes::open(file);
  ByteView b = in.bytes();
  BOOST_REQUIRE_EQUAL(b.size(), static_cast<std::size_t>(size));
  BOOST_TEST(as_chars(b.first(4)) == "head");
  BOOST_TEST(as_chars(b.last(4)) == "tail");
  BOOST_TEST(b[std::size_t{1} << 32] == 0);
}

BOOST_AUTO_TEST_CASE(dash_reads_standard_input_to_its_end) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const std::string data = pattern(300001);  // several times the read buffer and the pipe buffer
  std::jthread w = writer(fds[1], data);
  StdinFrom redirect(fds[0]);
  InputBytes in = InputBytes::open("-");
  BOOST_TEST(std::string(as_chars(in.bytes())) == data);
}

BOOST_AUTO_TEST_CASE(a_fifo_is_read_not_mapped) {
  test::TempDir dir;
  const fs::path fifo = dir / "fifo";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string data = pattern(70000);
  std::jthread w([&] {
    int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd >= 0) writer(fd, data).join();
  });
  InputBytes in = InputBytes::open(fifo);
  BOOST_TEST(std::string(as_chars(in.bytes())) == data);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_an_input_error_naming_it) {
  test::TempDir dir;
  const fs::path missing = dir / "missing.pdf";
  try {
    InputBytes::open(missing);
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::input));
    BOOST_TEST(e.subject() == missing.string());
    BOOST_TEST(e.reason().find("cannot open") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(a_folder_is_an_input_error) {
  test::TempDir dir;
  try {
    InputBytes::open(dir.path());
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::input));
    BOOST_TEST(e.reason() == "is a directory");
  }
}

BOOST_AUTO_TEST_CASE(moving_hands_over_the_bytes) {
  test::TempDir dir;
  test::write_file(dir / "a", "mapped bytes");
  InputBytes first = InputBytes::open(dir / "a");
  const std::uint8_t* where = first.bytes().data();
  InputBytes second(std::move(first));
  BOOST_TEST(first.bytes().empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  BOOST_TEST(second.bytes().data() == where, "the mapping moves, it is not copied");
  BOOST_TEST(as_chars(second.bytes()) == "mapped bytes");
}

BOOST_AUTO_TEST_CASE(the_mapping_stays_valid_after_the_file_is_removed) {
  test::TempDir dir;
  test::write_file(dir / "gone", "still readable");
  InputBytes in = InputBytes::open(dir / "gone");
  fs::remove(dir / "gone");
  BOOST_TEST(as_chars(in.bytes()) == "still readable");
}

BOOST_AUTO_TEST_SUITE_END()
