// The QR encoder against ISO/IEC 18004: Reed–Solomon codewords of the standard's worked examples,
// the format and version information tables, and a small independent reader that takes each
// symbol apart again (function patterns, format bits, unmasking, codeword order, RS syndromes,
// the byte-mode payload).
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "auth/qr.h"
#include "esign/auth.h"
#include "esign/error.h"

using namespace esign;

namespace {

std::vector<std::uint8_t> v(std::initializer_list<int> bytes) {
  std::vector<std::uint8_t> out;
  for (int b : bytes) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}

// GF(256) arithmetic by log tables, independent of the encoder's bitwise multiply.
struct Gf {
  int exp[512], log[256];
  Gf() {
    int x = 1;
    for (int i = 0; i < 255; ++i) {
      exp[i] = x;
      log[x] = i;
      x <<= 1;
      if (x & 0x100) x ^= 0x11D;
    }
    for (int i = 255; i < 512; ++i) exp[i] = exp[i - 255];
  }
  int mul(int a, int b) const { return a && b ? exp[log[a] + log[b]] : 0; }
};

// A codeword block (data then EC) is a multiple of the generator iff it vanishes at α^0..α^(n-1).
bool syndromes_zero(const std::vector<std::uint8_t>& block, int ec) {
  static const Gf gf;
  for (int i = 0; i < ec; ++i) {
    int s = 0;
    for (std::uint8_t c : block) s = gf.mul(s, gf.exp[i]) ^ c;
    if (s) return false;
  }
  return true;
}

bool masked(int mask, int x, int y) {
  switch (mask) {
    case 0: return (x + y) % 2 == 0;
    case 1: return y % 2 == 0;
    case 2: return x % 3 == 0;
    case 3: return (x + y) % 3 == 0;
    case 4: return (x / 3 + y / 2) % 2 == 0;
    case 5: return x * y % 2 + x * y % 3 == 0;
    case 6: return (x * y % 2 + x * y % 3) % 2 == 0;
    default: return ((x + y) % 2 + x * y % 3) % 2 == 0;
  }
}

// Which modules are function patterns, worked out from the standard's figures.
std::vector<bool> function_map(int version) {
  const int n = 17 + 4 * version;
  std::vector<bool> f(static_cast<std::size_t>(n * n), false);
  auto mark = [&](int x, int y) {
    if (x >= 0 && y >= 0 && x < n && y < n) f[static_cast<std::size_t>(y * n + x)] = true;
  };
  // Finders with their separators and the format information beside them (9x9 at the top left,
  // 8 wide and 9 high at the top right, 9 wide and 8 high at the bottom left, dark module included).
  for (int i = 0; i < 9; ++i)
    for (int j = 0; j < 9; ++j) {
      mark(i, j);
      if (i < 8) mark(n - 1 - i, j);
      if (j < 8) mark(i, n - 1 - j);
    }
  for (int i = 0; i < n; ++i) mark(6, i), mark(i, 6);                                // timing
  if (version >= 7)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 3; ++j) mark(i, n - 11 + j), mark(n - 11 + j, i);
  // Annex E, Table E.1: alignment pattern centres for versions 1-10.
  static const std::vector<int> kCentres[] = {{}, {}, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34},
                                              {6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50}};
  const std::vector<int>& pos = kCentres[version];
  for (int a : pos)
    for (int b : pos) {
      const int last = pos.back();
      if ((a == 6 && b == 6) || (a == 6 && b == last) || (a == last && b == 6)) continue;  // finder corners
      for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx) mark(a + dx, b + dy);
    }
  return f;
}

struct Read {
  int mask = -1;
  std::vector<std::uint8_t> codewords;
};

// Reads the format bits (first copy), unmasks, and collects codewords in the §7.7.3 order.
Read read_symbol(const QrCode& q) {
  Read r;
  const int n = q.size;
  std::uint32_t bits = 0;
  auto put = [&](int i, bool b) { bits |= static_cast<std::uint32_t>(b) << i; };
  for (int i = 0; i <= 5; ++i) put(i, q.dark(8, i));
  put(6, q.dark(8, 7));
  put(7, q.dark(8, 8));
  put(8, q.dark(7, 8));
  for (int i = 9; i < 15; ++i) put(i, q.dark(14 - i, 8));
  for (int m = 0; m < 8; ++m)
    if (esign::qr::format_bits(m) == bits) r.mask = m;
  // The second copy says the same.
  std::uint32_t second = 0;
  for (int i = 0; i < 8; ++i) second |= static_cast<std::uint32_t>(q.dark(n - 1 - i, 8)) << i;
  for (int i = 8; i < 15; ++i) second |= static_cast<std::uint32_t>(q.dark(8, n - 15 + i)) << i;
  BOOST_TEST(second == bits);
  BOOST_TEST(q.dark(8, n - 8));  // the dark module
  if (r.mask < 0) return r;
  const std::vector<bool> f = function_map(q.version);
  std::vector<bool> stream;
  for (int right = n - 1; right >= 1; right -= 2) {
    if (right == 6) right = 5;
    for (int i = 0; i < n; ++i) {
      int y = ((right + 1) & 2) == 0 ? n - 1 - i : i;
      for (int x = right; x >= right - 1; --x)
        if (!f[static_cast<std::size_t>(y * n + x)]) stream.push_back(q.dark(x, y) != masked(r.mask, x, y));
    }
  }
  for (std::size_t i = 0; i + 8 <= stream.size(); i += 8) {
    int b = 0;
    for (int k = 0; k < 8; ++k) b = (b << 1) | stream[i + static_cast<std::size_t>(k)];
    r.codewords.push_back(static_cast<std::uint8_t>(b));
  }
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(qr_code)

// ISO/IEC 18004:2015 Annex I.2: "01234567" as 1-M; its 16 data codewords and 10 EC codewords.
BOOST_AUTO_TEST_CASE(reed_solomon_matches_the_standards_1m_example) {
  auto data = v({0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11});
  BOOST_TEST(esign::qr::reed_solomon(data, 10) == v({0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55}),
             boost::test_tools::per_element());
}

// "HELLO WORLD" as 1-M (the widely used tutorial example of the same standard).
BOOST_AUTO_TEST_CASE(reed_solomon_matches_hello_world_1m) {
  auto data = v({0x20, 0x5B, 0x0B, 0x78, 0xD1, 0x72, 0xDC, 0x4D, 0x43, 0x40, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11});
  BOOST_TEST(esign::qr::reed_solomon(data, 10) == v({0xC4, 0x23, 0x27, 0x77, 0xEB, 0xD7, 0xE7, 0xE2, 0x5D, 0x17}),
             boost::test_tools::per_element());
}

// Table C.1 (format information, level M) and Table D.1 (version information).
BOOST_AUTO_TEST_CASE(format_and_version_bits_match_the_tables) {
  const std::uint32_t m[] = {0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
                             0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000};
  for (int i = 0; i < 8; ++i) BOOST_TEST(esign::qr::format_bits(i) == m[i]);
  BOOST_TEST(esign::qr::version_bits(7) == 0x07C94u);
  BOOST_TEST(esign::qr::version_bits(8) == 0x085BCu);
  BOOST_TEST(esign::qr::version_bits(9) == 0x09A99u);
  BOOST_TEST(esign::qr::version_bits(10) == 0x0A4D3u);
}

BOOST_AUTO_TEST_CASE(byte_mode_codewords_start_with_mode_and_count) {
  const std::vector<std::uint8_t> cw = qr_codewords("hi", 1);
  BOOST_REQUIRE(cw.size() == 26u);
  // 0100 | 00000010 | 'h' 'i' | 0000 terminator, then 0xEC 0x11 padding.
  BOOST_TEST(cw[0] == 0x40);
  BOOST_TEST(cw[1] == 0x26);
  BOOST_TEST(cw[2] == 0x86);
  BOOST_TEST(cw[3] == 0x90);
  BOOST_TEST(cw[4] == 0xEC);
  BOOST_TEST(cw[5] == 0x11);
}

BOOST_AUTO_TEST_CASE(symbols_read_back_to_their_payload) {
  const std::string uri = "otpauth://totp/esign:asha?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=esign";
  for (const std::string& data : {std::string("a"), std::string("hello, world"), uri, uri + uri, std::string(213, 'x')}) {
    const QrCode q = qr_encode(data);
    BOOST_TEST_CONTEXT("data of " << data.size() << " bytes, version " << q.version) {
      BOOST_TEST(q.size == 17 + 4 * q.version);
      // Finder patterns: the 7x7 ring pattern at three corners, the timing row alternating.
      for (auto [cx, cy] : {std::pair{0, 0}, std::pair{q.size - 7, 0}, std::pair{0, q.size - 7}})
        for (int d = 0; d < 7; ++d) {
          BOOST_TEST(q.dark(cx + d, cy));
          BOOST_TEST(q.dark(cx, cy + d));
          BOOST_TEST(q.dark(cx + 3, cy + 3));
          BOOST_TEST(!q.dark(cx + 1 + (d % 5), cy + 1));
        }
      for (int i = 8; i < q.size - 8; ++i) BOOST_TEST(q.dark(i, 6) == (i % 2 == 0));
      if (q.version >= 7) {
        std::uint32_t bits = 0;
        for (int i = 0; i < 18; ++i) bits |= static_cast<std::uint32_t>(q.dark(i / 3, q.size - 11 + i % 3)) << i;
        BOOST_TEST(bits == esign::qr::version_bits(q.version));
      }
      Read r = read_symbol(q);
      BOOST_REQUIRE(r.mask == q.mask);
      const std::vector<std::uint8_t> want = qr_codewords(data, q.version);
      BOOST_REQUIRE(r.codewords.size() >= want.size());
      r.codewords.resize(want.size());  // remainder bits
      BOOST_TEST(r.codewords == want, boost::test_tools::per_element());
      // De-interleave (level M layouts of versions 1-10) and check every block's syndromes.
      struct L { int ec, b1, d1, b2, d2; };
      const L layouts[] = {{0, 0, 0, 0, 0},    {10, 1, 16, 0, 0}, {16, 1, 28, 0, 0}, {26, 1, 44, 0, 0},
                           {18, 2, 32, 0, 0},  {24, 2, 43, 0, 0}, {16, 4, 27, 0, 0}, {18, 4, 31, 0, 0},
                           {22, 2, 38, 2, 39}, {22, 3, 36, 2, 37}, {26, 4, 43, 1, 44}};
      const L& l = layouts[q.version];
      std::vector<std::vector<std::uint8_t>> blocks;
      for (int b = 0; b < l.b1; ++b) blocks.emplace_back();
      for (int b = 0; b < l.b2; ++b) blocks.emplace_back();
      std::size_t at = 0;
      for (int i = 0; i < std::max(l.d1, l.d2); ++i)
        for (std::size_t b = 0; b < blocks.size(); ++b)
          if (i < (static_cast<int>(b) < l.b1 ? l.d1 : l.d2)) blocks[b].push_back(r.codewords[at++]);
      std::vector<std::uint8_t> data_cw;
      for (const auto& b : blocks) data_cw.insert(data_cw.end(), b.begin(), b.end());
      for (int i = 0; i < l.ec; ++i)
        for (auto& b : blocks) b.push_back(r.codewords[at++]);
      for (const auto& b : blocks) BOOST_TEST(syndromes_zero(b, l.ec));
      // The payload: byte mode, count, bytes.
      auto bit = [&](std::size_t i) { return (data_cw[i / 8] >> (7 - i % 8)) & 1; };
      std::size_t pos = 0;
      auto take = [&](int n) {
        unsigned x = 0;
        for (int k = 0; k < n; ++k) x = (x << 1) | static_cast<unsigned>(bit(pos++));
        return x;
      };
      BOOST_TEST(take(4) == 0b0100u);
      const unsigned count = take(q.version <= 9 ? 8 : 16);
      std::string got;
      for (unsigned k = 0; k < count; ++k) got.push_back(static_cast<char>(take(8)));
      BOOST_TEST(got == data);
    }
  }
}

BOOST_AUTO_TEST_CASE(too_much_data_is_an_input_error) {
  BOOST_CHECK_NO_THROW(qr_encode(std::string(213, 'x')));
  BOOST_CHECK_THROW(qr_encode(std::string(214, 'x')), Error);
}

BOOST_AUTO_TEST_CASE(render_draws_two_rows_per_line_with_a_quiet_zone) {
  const QrCode q = qr_encode("hi");
  const std::string text = qr_render(q);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  BOOST_TEST(lines == (q.size + 8 + 1) / 2);
  BOOST_TEST(text.rfind("\u2588\u2588\u2588\u2588", 0) == 0);  // quiet zone: light (full blocks)
}

BOOST_AUTO_TEST_SUITE_END()
