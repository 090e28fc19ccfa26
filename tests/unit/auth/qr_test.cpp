// The enrolment QR code: symbols libqrencode makes and esign draws must scan. zbarimg (zbar) reads
// them back, both from the modules and from the half-block text a terminal shows, and the
// symbol's structure (size, smallest version, format information) is checked against the standard.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "esign/auth.h"
#include "esign/error.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const std::string kUri = "otpauth://totp/esign:asha?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=esign";

// A light/dark raster, one byte per pixel (0 dark, 255 light).
struct Raster {
  int width = 0, height = 0;
  std::vector<unsigned char> pixels;
};

// The modules, `scale` pixels each, inside a 4-module light quiet zone (ISO/IEC 18004 §6.3.8).
Raster raster_of(const QrCode& q, int scale = 4) {
  Raster r;
  r.width = r.height = (q.size + 8) * scale;
  r.pixels.assign(static_cast<std::size_t>(r.width * r.height), 255);
  for (int y = 0; y < q.size; ++y)
    for (int x = 0; x < q.size; ++x)
      if (q.dark(x, y))
        for (int dy = 0; dy < scale; ++dy)
          for (int dx = 0; dx < scale; ++dx)
            r.pixels[static_cast<std::size_t>(((y + 4) * scale + dy) * r.width + (x + 4) * scale + dx)] = 0;
  return r;
}

// What a light-on-dark terminal shows for qr_render's text: a character cell is two module rows;
// the drawn half of a block is light (the foreground), the rest dark.
Raster raster_of_text(const std::string& text, int scale = 4) {
  std::vector<std::vector<std::pair<bool, bool>>> cells;  // per line: (top light, bottom light)
  std::vector<std::pair<bool, bool>> line;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      cells.push_back(line);
      line.clear();
      ++i;
    } else if (text[i] == ' ') {
      line.push_back({false, false});
      ++i;
    } else if (text.compare(i, 3, "\u2588") == 0) {
      line.push_back({true, true});
      i += 3;
    } else if (text.compare(i, 3, "\u2580") == 0) {
      line.push_back({true, false});
      i += 3;
    } else if (text.compare(i, 3, "\u2584") == 0) {
      line.push_back({false, true});
      i += 3;
    } else {
      BOOST_FAIL("unexpected byte in the drawing at " << i);
    }
  }
  Raster r;
  r.width = static_cast<int>(cells.at(0).size()) * scale;
  r.height = static_cast<int>(cells.size()) * 2 * scale;
  r.pixels.assign(static_cast<std::size_t>(r.width * r.height), 0);
  for (std::size_t row = 0; row < cells.size(); ++row) {
    BOOST_REQUIRE_EQUAL(cells[row].size() * static_cast<std::size_t>(scale), static_cast<std::size_t>(r.width));
    for (std::size_t col = 0; col < cells[row].size(); ++col)
      for (int half = 0; half < 2; ++half) {
        const bool light = half == 0 ? cells[row][col].first : cells[row][col].second;
        for (int dy = 0; dy < scale; ++dy)
          for (int dx = 0; dx < scale; ++dx)
            r.pixels[(static_cast<std::size_t>(row * 2 + static_cast<std::size_t>(half)) * scale + static_cast<std::size_t>(dy)) *
                         static_cast<std::size_t>(r.width) +
                     col * static_cast<std::size_t>(scale) + static_cast<std::size_t>(dx)] = light ? 255 : 0;
      }
  }
  return r;
}

// zbarimg's reading of the raster (as a binary PGM), "" when it finds no QR code.
std::string decode(const Raster& r) {
  test::TempDir dir;
  const fs::path pgm = dir / "symbol.pgm";
  test::write_file(pgm, "P5\n" + std::to_string(r.width) + " " + std::to_string(r.height) + "\n255\n" +
                            std::string(r.pixels.begin(), r.pixels.end()));
  // stderr is dropped: zbar reports there that it found no D-Bus.
  const std::string cmd = "zbarimg --quiet --raw -Sdisable -Sqrcode.enable '" + pgm.string() + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) != 127, "zbarimg is missing (scripts/setup installs zbar-tools)");
  if (status != 0) return "";
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Byte-mode capacity at level M of versions 1-10 (ISO/IEC 18004 Table 7).
constexpr int kCapacityM[] = {0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213};

}  // namespace

BOOST_AUTO_TEST_SUITE(qr_code)

BOOST_AUTO_TEST_CASE(symbols_scan_back_to_their_data) {
  for (const std::string& data : {std::string("a"), std::string("hello, world"), kUri, kUri + "&x=" + std::string(100, 'y'),
                                  std::string(213, 'x')}) {
    const QrCode q = qr_encode(data);
    BOOST_TEST(decode(raster_of(q)) == data, data.size() << " bytes, version " << q.version);
  }
}

// What the operator sees in the terminal is what the authenticator app must read.
BOOST_AUTO_TEST_CASE(the_terminal_drawing_scans_back_to_the_uri) {
  const QrCode q = qr_encode(kUri);
  const std::string text = qr_render(q);
  BOOST_TEST(decode(raster_of_text(text)) == kUri);
}

BOOST_AUTO_TEST_CASE(a_damaged_symbol_does_not_scan) {
  QrCode q = qr_encode(kUri);
  // Invert the top-left finder pattern: no reader locates the symbol any more.
  for (int y = 0; y < 7; ++y)
    for (int x = 0; x < 7; ++x) q.modules[static_cast<std::size_t>(y * q.size + x)] = !q.dark(x, y);
  BOOST_TEST(decode(raster_of(q)) == "");
}

BOOST_AUTO_TEST_CASE(the_smallest_version_that_holds_the_data_is_used) {
  for (int v = 1; v <= 10; ++v) {
    const QrCode full = qr_encode(std::string(static_cast<std::size_t>(kCapacityM[v]), 'q'));
    BOOST_TEST(full.version == v, "a full version " << v);
    BOOST_TEST(full.size == 17 + 4 * v);
    BOOST_TEST(full.modules.size() == static_cast<std::size_t>(full.size * full.size));
    if (v < 10) BOOST_TEST(qr_encode(std::string(static_cast<std::size_t>(kCapacityM[v] + 1), 'q')).version == v + 1);
  }
}

BOOST_AUTO_TEST_CASE(too_much_or_no_data_is_an_input_error) {
  BOOST_CHECK_NO_THROW(qr_encode(std::string(213, 'x')));
  for (std::size_t n : {std::size_t{0}, std::size_t{214}, std::size_t{5000}}) {
    try {
      qr_encode(std::string(n, 'x'));
      BOOST_ERROR(n << " bytes encoded");
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::input), n);
    }
  }
}

// Finder patterns at three corners, timing patterns, and both copies of the format information
// saying level M with the mask the code reports (ISO/IEC 18004 §7.3, §7.9).
BOOST_AUTO_TEST_CASE(function_patterns_and_format_information_are_in_place) {
  for (const std::string& data : {std::string("hi"), kUri, std::string(200, 'z')}) {
    const QrCode q = qr_encode(data);
    BOOST_TEST_CONTEXT("version " << q.version) {
      for (auto [cx, cy] : {std::pair{0, 0}, std::pair{q.size - 7, 0}, std::pair{0, q.size - 7}})
        for (int y = 0; y < 7; ++y)
          for (int x = 0; x < 7; ++x) {
            const bool ring = x == 0 || y == 0 || x == 6 || y == 6;
            const bool centre = x >= 2 && x <= 4 && y >= 2 && y <= 4;
            BOOST_TEST(q.dark(cx + x, cy + y) == (ring || centre));
          }
      for (int i = 8; i < q.size - 8; ++i) {
        BOOST_TEST(q.dark(i, 6) == (i % 2 == 0));
        BOOST_TEST(q.dark(6, i) == (i % 2 == 0));
      }
      BOOST_TEST(q.dark(8, q.size - 8), "the dark module");
      // The second copy of the format information: bits 0-7 along row 8 from the right edge,
      // bits 8-14 down column 8 near the bottom.
      std::uint32_t second = 0;
      for (int i = 0; i < 8; ++i) second |= static_cast<std::uint32_t>(q.dark(q.size - 1 - i, 8)) << i;
      for (int i = 8; i < 15; ++i) second |= static_cast<std::uint32_t>(q.dark(8, q.size - 15 + i)) << i;
      const std::uint32_t unmasked = second ^ 0x5412u;
      BOOST_TEST((unmasked >> 13) == 0u, "error correction level M (00)");
      BOOST_TEST(static_cast<int>((unmasked >> 10) & 7u) == q.mask);
      BOOST_TEST(q.mask >= 0);
      BOOST_TEST(q.mask <= 7);
    }
  }
}

BOOST_AUTO_TEST_CASE(render_draws_two_rows_per_line_with_a_quiet_zone) {
  const QrCode q = qr_encode("hi");
  const std::string text = qr_render(q);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  BOOST_TEST(lines == (q.size + 8 + 1) / 2);
  std::string quiet;
  for (int i = 0; i < q.size + 8; ++i) quiet += "\u2588";
  BOOST_TEST(text.rfind(quiet + "\n", 0) == 0u, "the first line is all quiet zone: light full blocks");
}

BOOST_AUTO_TEST_SUITE_END()
