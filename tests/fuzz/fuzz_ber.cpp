// The streaming BER reader that decrypt walks CMS envelopes with: headers (definite and
// indefinite lengths, end-of-contents markers), skips, seeks and whole-TLV copies, read from a
// file descriptor through its small buffer. Every input ends in an esign::Error or a clean walk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "envelope/ber_reader.h"
#include "esign/error.h"

using namespace esign;
using envelope::BerHeader;
using envelope::BerReader;

namespace {

constexpr int kMaxDepth = 24;

// Walks the children of a constructed element that ends at `end` (definite) or at its
// end-of-contents marker (indefinite), as decrypt walks an envelope.
void walk(BerReader& r, const BerHeader& parent, int depth) {
  if (depth > kMaxDepth) r.malformed("nested too deeply");
  const std::uint64_t end = parent.content + parent.length;
  for (;;) {
    if (parent.indefinite) {
      if (r.take_eoc()) return;
    } else if (r.tell() >= end) {
      return;
    }
    BerHeader child = r.header();
    if (!parent.indefinite && !child.indefinite && child.content + child.length > end)
      r.malformed("an element runs past its parent");
    if (child.constructed()) walk(r, child, depth + 1);
    else if (child.indefinite) r.malformed("a primitive element with an indefinite length");
    else r.skip(child.length);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = ::memfd_create("ber", 0);
  if (fd < 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  try {
    BerReader r(fd, "fuzz.p7m", true);
    while (!r.at_eof()) {
      BerHeader h = r.header();
      if (h.constructed()) walk(r, h, 0);
      else if (h.indefinite) r.malformed("a primitive element with an indefinite length");
      else r.skip(h.length);
    }
    r.sha256_hex();
  } catch (const Error&) {
  }
  try {
    BerReader r(fd, "fuzz.p7m", false);
    BerHeader h = r.header();
    r.rest_of(h, 1u << 20);
    if (!r.at_eof()) {
      unsigned char buf[64];
      r.read_some(buf, sizeof buf);
    }
    r.seek(size / 2);
    r.header();
  } catch (const Error&) {
  }
  ::close(fd);
  return 0;
}
