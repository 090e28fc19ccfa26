// BerReader: TLV headers, raw copies of small elements, and skips, over a buffered file descriptor.
#include "envelope/ber_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "esign/error.h"

namespace esign::envelope {

namespace {
constexpr std::size_t kBuffer = 64 * 1024;
constexpr int kMaxDepth = 32;

// DER length octets.
void append_length(Bytes& out, std::uint64_t l) {
  if (l < 0x80) {
    out.push_back(static_cast<std::uint8_t>(l));
    return;
  }
  std::uint8_t tmp[8];
  int n = 0;
  for (std::uint64_t v = l; v; v >>= 8) tmp[n++] = static_cast<std::uint8_t>(v & 0xff);
  out.push_back(static_cast<std::uint8_t>(0x80 | n));
  for (int i = n - 1; i >= 0; --i) out.push_back(tmp[i]);
}
}  // namespace

BerReader::BerReader(int fd, std::string subject, bool hash)
    : fd_(fd), subject_(std::move(subject)), hashing_(hash), buf_(kBuffer) {}

void BerReader::malformed(const std::string& what) const {
  throw Error(Errc::input, subject_, "not a valid CMS enveloped file (" + what + "; truncated or damaged?)");
}

bool BerReader::fill() {
  if (begin_ < end_) return true;
  for (;;) {
    ssize_t n = ::read(fd_, buf_.data(), buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(Errc::input, subject_, std::string("read failed: ") + std::strerror(errno));
    if (hashing_) hash_.update(buf_.data(), static_cast<std::size_t>(n));
    begin_ = 0;
    end_ = static_cast<std::size_t>(n);
    return n > 0;
  }
}

bool BerReader::at_eof() { return !fill(); }

void BerReader::seek(std::uint64_t pos) {
  hashing_ = false;  // a hash over a seeked read would not be the file's
  if (::lseek(fd_, static_cast<off_t>(pos), SEEK_SET) < 0)
    throw Error(Errc::input, subject_, std::string("cannot seek: ") + std::strerror(errno));
  begin_ = end_ = 0;
  pos_ = pos;
}

std::uint8_t BerReader::byte() {
  if (!fill()) malformed("unexpected end of file");
  ++pos_;
  return buf_[begin_++];
}

std::size_t BerReader::read_some(unsigned char* out, std::size_t n) {
  if (!fill()) malformed("unexpected end of file");
  std::size_t k = std::min(n, end_ - begin_);
  std::memcpy(out, buf_.data() + begin_, k);
  begin_ += k;
  pos_ += k;
  return k;
}

void BerReader::skip(std::uint64_t n) {
  while (n > 0) {
    if (!fill()) malformed("unexpected end of file");
    std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, end_ - begin_));
    begin_ += k;
    pos_ += k;
    n -= k;
  }
}

BerHeader BerReader::header() {
  BerHeader h;
  h.offset = pos_;
  h.tag = byte();
  if ((h.tag & 0x1f) == 0x1f) malformed("high tag number");
  std::uint8_t first = byte();
  if (first == 0x80) {
    if (!h.constructed()) malformed("indefinite length on a primitive element");
    h.indefinite = true;
  } else if (first & 0x80) {
    int count = first & 0x7f;
    if (count > 8) malformed("length too long");
    for (int i = 0; i < count; ++i) h.length = (h.length << 8) | byte();
  } else {
    h.length = first;
  }
  h.content = pos_;
  return h;
}

bool BerReader::take_eoc() {
  if (!fill()) return false;
  if (end_ - begin_ < 2) {
    // Move the tail to the front and top up, so the two bytes can be peeked.
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    ssize_t n;
    do n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
      if (hashing_) hash_.update(buf_.data() + end_, static_cast<std::size_t>(n));
      end_ += static_cast<std::size_t>(n);
    }
    if (end_ - begin_ < 2) return false;
  }
  if (buf_[begin_] != 0 || buf_[begin_ + 1] != 0) return false;
  begin_ += 2;
  pos_ += 2;
  return true;
}

void BerReader::append_tlv(const BerHeader& h, Bytes& out, std::size_t limit, int depth) {
  if (depth > kMaxDepth) malformed("nested too deeply");
  // Re-encode the header as it was read (indefinite or definite).
  out.push_back(h.tag);
  if (h.indefinite) {
    out.push_back(0x80);
    for (;;) {
      if (take_eoc()) break;
      BerHeader c = header();
      append_tlv(c, out, limit, depth + 1);
    }
    out.push_back(0);
    out.push_back(0);
  } else {
    const std::uint64_t l = h.length;
    append_length(out, l);
    if (out.size() + l > limit) malformed("an element is larger than " + std::to_string(limit) + " bytes");
    std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(l));
    std::size_t got = 0;
    while (got < l) got += read_some(out.data() + at + got, static_cast<std::size_t>(l) - got);
  }
  if (out.size() > limit) malformed("an element is larger than " + std::to_string(limit) + " bytes");
}

Bytes BerReader::rest_of(const BerHeader& h, std::size_t limit) {
  Bytes out;
  append_tlv(h, out, limit, 0);
  return out;
}

Bytes der_tlv(std::uint8_t tag, ByteView content) {
  Bytes out{tag};
  append_length(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

}  // namespace esign::envelope
