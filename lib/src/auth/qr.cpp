// The QR code of a TOTP enrolment: libqrencode makes the symbol (ISO/IEC 18004, byte mode,
// level M), esign draws it in the terminal with Unicode half blocks.
#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "esign/auth.h"
#include "esign/error.h"

namespace esign {

namespace {

// Wider symbols do not fit a terminal line beside their quiet zone (57 + 8 modules at version 10).
constexpr int kMaxVersion = 10;

// ISO/IEC 18004 §7.9.1: the format information around the top-left finder holds the mask
// pattern in bits 12-10 once the fixed mask 101010000010010 is removed. libqrencode chooses the
// mask by the standard's penalty rules but does not report it.
int mask_of(const QrCode& q) {
  std::uint32_t bits = 0;
  auto put = [&](int i, bool dark) { bits |= static_cast<std::uint32_t>(dark) << i; };
  for (int i = 0; i <= 5; ++i) put(i, q.dark(8, i));
  put(6, q.dark(8, 7));
  put(7, q.dark(8, 8));
  put(8, q.dark(7, 8));
  for (int i = 9; i < 15; ++i) put(i, q.dark(14 - i, 8));
  return static_cast<int>(((bits ^ 0x5412u) >> 10) & 7u);
}

}  // namespace

QrCode qr_encode(std::string_view data) {
  if (data.empty()) throw Error(Errc::input, "qr", "nothing to encode");
  // Version 0: the smallest that holds the data. QRcode_encodeData is byte mode throughout.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> symbol(
      QRcode_encodeData(static_cast<int>(data.size()), reinterpret_cast<const unsigned char*>(data.data()), 0,
                        QR_ECLEVEL_M),
      QRcode_free);
  if (!symbol) {
    if (errno == ERANGE) throw Error(Errc::input, "qr", "too much data for a version 10 QR code");
    throw Error(Errc::internal, "qr", std::string("cannot encode: ") + std::strerror(errno));
  }
  if (symbol->version > kMaxVersion) throw Error(Errc::input, "qr", "too much data for a version 10 QR code");
  QrCode code;
  code.version = symbol->version;
  code.size = symbol->width;
  code.modules.resize(static_cast<std::size_t>(code.size) * static_cast<std::size_t>(code.size));
  for (std::size_t i = 0; i < code.modules.size(); ++i) code.modules[i] = (symbol->data[i] & 1) != 0;  // bit 0: dark
  code.mask = mask_of(code);
  return code;
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
