// The parts of the QR encoder that tests check against the standard's own examples.
#pragma once

#include <cstdint>
#include <vector>

#include "esign/bytes.h"

namespace esign::qr {

// ISO/IEC 18004 §7.5.2: the `count` Reed–Solomon error correction codewords of `data` over
// GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator roots α^0..α^(count-1).
std::vector<std::uint8_t> reed_solomon(ByteView data, int count);

// §7.9: the 15 format bits (BCH(15,5), masked with 101010000010010) for level M and `mask`.
std::uint32_t format_bits(int mask);
// §7.10: the 18 version bits (BCH(18,6), generator 0x1F25) for versions 7 and up.
std::uint32_t version_bits(int version);

}  // namespace esign::qr
