// A small QR code encoder (ISO/IEC 18004:2015): byte mode, level M, versions 1-10, drawn with
// Unicode half blocks. Enough for an otpauth:// URI in a terminal.
#include "auth/qr.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>

#include "esign/auth.h"
#include "esign/error.h"

namespace esign {

namespace qr {

namespace {

constexpr int kMaxVersion = 10;

// Table 9, level M: error correction codewords per block, and the blocks as (count, data
// codewords) for group 1 and group 2.
struct BlockLayout {
  int ec_per_block;
  int g1_blocks, g1_data;
  int g2_blocks, g2_data;
  int data_codewords() const { return g1_blocks * g1_data + g2_blocks * g2_data; }
};
constexpr std::array<BlockLayout, kMaxVersion + 1> kLevelM{{
    {0, 0, 0, 0, 0},
    {10, 1, 16, 0, 0},
    {16, 1, 28, 0, 0},
    {26, 1, 44, 0, 0},
    {18, 2, 32, 0, 0},
    {24, 2, 43, 0, 0},
    {16, 4, 27, 0, 0},
    {18, 4, 31, 0, 0},
    {22, 2, 38, 2, 39},
    {22, 3, 36, 2, 37},
    {26, 4, 43, 1, 44},
}};

// Annex E: the centre coordinates of the alignment patterns.
const std::vector<int>& alignment_positions(int version) {
  static const std::array<std::vector<int>, kMaxVersion + 1> kPositions{{
      {}, {}, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34}, {6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50}}};
  return kPositions[static_cast<std::size_t>(version)];
}

std::uint8_t gf_mul(std::uint8_t x, std::uint8_t y) {
  unsigned z = 0;
  for (int i = 7; i >= 0; --i) {
    z = (z << 1) ^ ((z >> 7) * 0x11Du);
    z ^= ((y >> i) & 1u) * x;
  }
  return static_cast<std::uint8_t>(z);
}

class BitBuffer {
 public:
  void put(std::uint32_t value, int bits) {
    for (int i = bits - 1; i >= 0; --i) bits_.push_back(((value >> i) & 1) != 0);
  }
  std::size_t size() const { return bits_.size(); }
  std::vector<std::uint8_t> bytes() const {
    std::vector<std::uint8_t> out(bits_.size() / 8, 0);
    for (std::size_t i = 0; i < out.size() * 8; ++i)
      if (bits_[i]) out[i / 8] = static_cast<std::uint8_t>(out[i / 8] | (0x80 >> (i % 8)));
    return out;
  }

 private:
  std::vector<bool> bits_;
};

int count_bits(int version) { return version <= 9 ? 8 : 16; }

std::vector<std::uint8_t> data_codewords(std::string_view data, int version) {
  const int capacity = kLevelM[static_cast<std::size_t>(version)].data_codewords();
  BitBuffer bb;
  bb.put(0b0100, 4);  // byte mode (§7.4.5)
  bb.put(static_cast<std::uint32_t>(data.size()), count_bits(version));
  for (char c : data) bb.put(static_cast<unsigned char>(c), 8);
  const std::size_t cap_bits = static_cast<std::size_t>(capacity) * 8;
  bb.put(0, static_cast<int>(std::min<std::size_t>(4, cap_bits - bb.size())));  // terminator
  bb.put(0, static_cast<int>((8 - bb.size() % 8) % 8));
  for (std::uint32_t pad = 0xEC; bb.size() < cap_bits; pad ^= 0xEC ^ 0x11) bb.put(pad, 8);  // §7.4.10
  return bb.bytes();
}

bool fits(std::string_view data, int version) {
  const std::size_t bits = 4 + static_cast<std::size_t>(count_bits(version)) + data.size() * 8;
  return bits <= static_cast<std::size_t>(kLevelM[static_cast<std::size_t>(version)].data_codewords()) * 8;
}

class Matrix {
 public:
  explicit Matrix(int version) : version_(version), size_(17 + 4 * version), dark_(cells(), false), function_(cells(), false) {}

  int size() const { return size_; }
  bool dark(int x, int y) const { return dark_[index(x, y)]; }
  bool function(int x, int y) const { return function_[index(x, y)]; }
  void set_function(int x, int y, bool dark) {
    dark_[index(x, y)] = dark;
    function_[index(x, y)] = true;
  }
  void flip(int x, int y) { dark_[index(x, y)] = !dark_[index(x, y)]; }
  void set(int x, int y, bool dark) { dark_[index(x, y)] = dark; }
  const std::vector<bool>& modules() const { return dark_; }

  void draw_function_patterns() {
    for (int i = 0; i < size_; ++i) {  // timing patterns (§6.3.5)
      set_function(6, i, i % 2 == 0);
      set_function(i, 6, i % 2 == 0);
    }
    draw_finder(3, 3);
    draw_finder(size_ - 4, 3);
    draw_finder(3, size_ - 4);
    const std::vector<int>& pos = alignment_positions(version_);
    const std::size_t n = pos.size();
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if ((i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0)) continue;  // finder corners
        for (int dy = -2; dy <= 2; ++dy)
          for (int dx = -2; dx <= 2; ++dx) set_function(pos[i] + dx, pos[j] + dy, std::max(std::abs(dx), std::abs(dy)) != 1);
      }
    draw_format(0);  // reserve the area; the real bits come with the mask
    draw_version();
  }

  // §7.9.1, Figure 25: both copies of the format information, and the dark module.
  void draw_format(int mask) {
    const std::uint32_t bits = format_bits(mask);
    auto bit = [&](int i) { return ((bits >> i) & 1) != 0; };
    for (int i = 0; i <= 5; ++i) set_function(8, i, bit(i));
    set_function(8, 7, bit(6));
    set_function(8, 8, bit(7));
    set_function(7, 8, bit(8));
    for (int i = 9; i < 15; ++i) set_function(14 - i, 8, bit(i));
    for (int i = 0; i < 8; ++i) set_function(size_ - 1 - i, 8, bit(i));
    for (int i = 8; i < 15; ++i) set_function(8, size_ - 15 + i, bit(i));
    set_function(8, size_ - 8, true);
  }

  // §7.10, Figure 27: two copies of the version information, 6x3 each.
  void draw_version() {
    if (version_ < 7) return;
    const std::uint32_t bits = version_bits(version_);
    for (int i = 0; i < 18; ++i) {
      bool b = ((bits >> i) & 1) != 0;
      int a = size_ - 11 + i % 3, c = i / 3;
      set_function(a, c, b);
      set_function(c, a, b);
    }
  }

  // §7.7.3: two-module columns from the right, upwards then downwards, skipping the vertical timing
  // pattern; modules left over are remainder bits (light).
  void draw_codewords(const std::vector<std::uint8_t>& codewords) {
    std::size_t i = 0;
    const std::size_t total = codewords.size() * 8;
    for (int right = size_ - 1; right >= 1; right -= 2) {
      if (right == 6) right = 5;
      for (int vert = 0; vert < size_; ++vert)
        for (int j = 0; j < 2; ++j) {
          int x = right - j;
          bool upward = ((right + 1) & 2) == 0;
          int y = upward ? size_ - 1 - vert : vert;
          if (function(x, y)) continue;
          if (i < total) set(x, y, ((codewords[i >> 3] >> (7 - (i & 7))) & 1) != 0);
          ++i;
        }
    }
  }

  // §7.8.2, Table 10.
  void apply_mask(int mask) {
    for (int y = 0; y < size_; ++y)
      for (int x = 0; x < size_; ++x) {
        if (function(x, y)) continue;
        bool invert = false;
        switch (mask) {
          case 0: invert = (x + y) % 2 == 0; break;
          case 1: invert = y % 2 == 0; break;
          case 2: invert = x % 3 == 0; break;
          case 3: invert = (x + y) % 3 == 0; break;
          case 4: invert = (x / 3 + y / 2) % 2 == 0; break;
          case 5: invert = x * y % 2 + x * y % 3 == 0; break;
          case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0; break;
          default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0; break;
        }
        if (invert) flip(x, y);
      }
  }

  // §7.8.3, Table 11: the penalty score N1..N4 of the current symbol.
  long penalty() const {
    long score = 0;
    auto line = [&](bool rows) {
      for (int a = 0; a < size_; ++a) {
        int run = 0;
        bool color = false;
        std::vector<bool> seq;
        for (int b = 0; b < size_; ++b) {
          bool d = rows ? dark(b, a) : dark(a, b);
          seq.push_back(d);
          if (b > 0 && d == color) ++run;
          else {
            if (run >= 5) score += 3 + (run - 5);
            color = d;
            run = 1;
          }
        }
        if (run >= 5) score += 3 + (run - 5);
        // N3: 1:1:3:1:1 finder-like pattern with four light modules on one side.
        static const bool p1[] = {true, false, true, true, true, false, true, false, false, false, false};
        static const bool p2[] = {false, false, false, false, true, false, true, true, true, false, true};
        for (std::size_t s = 0; s + 11 <= seq.size(); ++s) {
          if (std::equal(p1, p1 + 11, seq.begin() + static_cast<long>(s))) score += 40;
          if (std::equal(p2, p2 + 11, seq.begin() + static_cast<long>(s))) score += 40;
        }
      }
    };
    line(true);
    line(false);
    for (int y = 0; y + 1 < size_; ++y)  // N2: 2x2 blocks of one color
      for (int x = 0; x + 1 < size_; ++x) {
        bool c = dark(x, y);
        if (c == dark(x + 1, y) && c == dark(x, y + 1) && c == dark(x + 1, y + 1)) score += 3;
      }
    long dark_count = std::count(dark_.begin(), dark_.end(), true);
    long total = static_cast<long>(dark_.size());
    long percent = dark_count * 100 / total;  // N4: 10 points per 5% away from half dark
    score += std::abs(percent - 50) / 5 * 10;
    return score;
  }

 private:
  std::size_t cells() const { return static_cast<std::size_t>(size_) * static_cast<std::size_t>(size_); }
  std::size_t index(int x, int y) const { return static_cast<std::size_t>(y) * static_cast<std::size_t>(size_) + static_cast<std::size_t>(x); }
  void draw_finder(int cx, int cy) {  // §6.3.3, with its light separator
    for (int dy = -4; dy <= 4; ++dy)
      for (int dx = -4; dx <= 4; ++dx) {
        int x = cx + dx, y = cy + dy;
        if (x < 0 || y < 0 || x >= size_ || y >= size_) continue;
        int dist = std::max(std::abs(dx), std::abs(dy));
        set_function(x, y, dist != 2 && dist != 4);
      }
  }

  int version_;
  int size_;
  std::vector<bool> dark_;
  std::vector<bool> function_;
};

}  // namespace

std::vector<std::uint8_t> reed_solomon(ByteView data, int count) {
  // The generator polynomial, highest coefficient (always 1) dropped.
  std::vector<std::uint8_t> divisor(static_cast<std::size_t>(count), 0);
  divisor.back() = 1;
  std::uint8_t root = 1;
  for (int i = 0; i < count; ++i) {
    for (std::size_t j = 0; j < divisor.size(); ++j) {
      divisor[j] = gf_mul(divisor[j], root);
      if (j + 1 < divisor.size()) divisor[j] ^= divisor[j + 1];
    }
    root = gf_mul(root, 0x02);
  }
  std::vector<std::uint8_t> rem(static_cast<std::size_t>(count), 0);
  for (std::uint8_t b : data) {
    std::uint8_t factor = b ^ rem.front();
    rem.erase(rem.begin());
    rem.push_back(0);
    for (std::size_t i = 0; i < rem.size(); ++i) rem[i] ^= gf_mul(divisor[i], factor);
  }
  return rem;
}

std::uint32_t format_bits(int mask) {
  const std::uint32_t data = (0b00u << 3) | static_cast<std::uint32_t>(mask);  // level M = 00
  std::uint32_t rem = data;
  for (int i = 0; i < 10; ++i) rem = (rem << 1) ^ ((rem >> 9) * 0x537u);
  return ((data << 10) | (rem & 0x3FFu)) ^ 0x5412u;
}

std::uint32_t version_bits(int version) {
  std::uint32_t rem = static_cast<std::uint32_t>(version);
  for (int i = 0; i < 12; ++i) rem = (rem << 1) ^ ((rem >> 11) * 0x1F25u);
  return (static_cast<std::uint32_t>(version) << 12) | (rem & 0xFFFu);
}

}  // namespace qr

std::vector<std::uint8_t> qr_codewords(std::string_view data, int version) {
  if (version < 1 || version > qr::kMaxVersion || !qr::fits(data, version))
    throw Error(Errc::input, "qr", "the data does not fit version " + std::to_string(version));
  const qr::BlockLayout& layout = qr::kLevelM[static_cast<std::size_t>(version)];
  const std::vector<std::uint8_t> data_cw = qr::data_codewords(data, version);
  std::vector<std::vector<std::uint8_t>> blocks, ecc;
  std::size_t at = 0;
  for (int g = 0; g < 2; ++g) {
    const int count = g == 0 ? layout.g1_blocks : layout.g2_blocks;
    const int len = g == 0 ? layout.g1_data : layout.g2_data;
    for (int b = 0; b < count; ++b) {
      blocks.emplace_back(data_cw.begin() + static_cast<long>(at), data_cw.begin() + static_cast<long>(at) + len);
      at += static_cast<std::size_t>(len);
      ecc.push_back(qr::reed_solomon(blocks.back(), layout.ec_per_block));
    }
  }
  // §7.6: data codewords interleaved block by block (the longer blocks' last one at the end),
  // then the error correction codewords likewise.
  std::vector<std::uint8_t> out;
  std::size_t longest = 0;
  for (const auto& b : blocks) longest = std::max(longest, b.size());
  for (std::size_t i = 0; i < longest; ++i)
    for (const auto& b : blocks)
      if (i < b.size()) out.push_back(b[i]);
  for (std::size_t i = 0; i < static_cast<std::size_t>(layout.ec_per_block); ++i)
    for (const auto& e : ecc) out.push_back(e[i]);
  return out;
}

QrCode qr_encode(std::string_view data) {
  int version = 1;
  while (version <= qr::kMaxVersion && !qr::fits(data, version)) ++version;
  if (version > qr::kMaxVersion) throw Error(Errc::input, "qr", "too much data for a version 10 QR code");
  const std::vector<std::uint8_t> codewords = qr_codewords(data, version);
  QrCode best;
  long best_penalty = std::numeric_limits<long>::max();
  for (int mask = 0; mask < 8; ++mask) {
    qr::Matrix m(version);
    m.draw_function_patterns();
    m.draw_codewords(codewords);
    m.apply_mask(mask);
    m.draw_format(mask);
    long p = m.penalty();
    if (p < best_penalty) {
      best_penalty = p;
      best.version = version;
      best.size = m.size();
      best.mask = mask;
      best.modules = m.modules();
    }
  }
  return best;
}

std::string qr_render(const QrCode& code) {
  // Light modules are drawn as full blocks and dark ones as spaces, so the symbol reads as dark
  // on light on the usual light-on-dark terminal; the quiet zone (§6.3.8) is 4 light modules.
  constexpr int kQuiet = 4;
  const int n = code.size + 2 * kQuiet;
  auto light = [&](int x, int y) {
    x -= kQuiet;
    y -= kQuiet;
    if (x < 0 || y < 0 || x >= code.size || y >= code.size) return true;
    return !code.dark(x, y);
  };
  std::string out;
  for (int y = 0; y < n; y += 2) {
    for (int x = 0; x < n; ++x) {
      bool top = light(x, y), bottom = y + 1 < n ? light(x, y + 1) : false;
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\n";
  }
  return out;
}

}  // namespace esign
