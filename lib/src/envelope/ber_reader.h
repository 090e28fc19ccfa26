// A bounded BER reader over a file descriptor: TLV headers one at a time, so that a CMS envelope's
// encrypted content can be walked and streamed without ever being held in memory.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envelope/bio_stream.h"
#include "esign/bytes.h"

namespace esign::envelope {

struct BerHeader {
  std::uint8_t tag = 0;           // the identifier octet (low tag numbers only, as CMS uses)
  bool constructed() const { return (tag & 0x20) != 0; }
  bool indefinite = false;
  std::uint64_t length = 0;       // content length when definite
  std::uint64_t offset = 0;       // file offset of the identifier octet
  std::uint64_t content = 0;      // file offset of the first content octet
  bool is_eoc() const { return tag == 0 && !indefinite && length == 0; }
};

// Reads a seekable file sequentially through a small buffer. Every failure is Error(input,
// subject) saying the file is truncated or malformed. With hashing on, every byte read (in
// order, from offset 0, without seeks) goes into sha256().
class BerReader {
 public:
  BerReader(int fd, std::string subject, bool hash);

  std::uint64_t tell() const { return pos_; }
  void seek(std::uint64_t pos);
  BerHeader header();
  // Peeks whether the next two bytes are an end-of-contents marker; consumes them when they are.
  bool take_eoc();
  // The whole TLV whose header was just read (header + content, nested indefinite ones included),
  // as raw bytes; refuses more than `limit` bytes.
  Bytes rest_of(const BerHeader& h, std::size_t limit);
  void skip(std::uint64_t n);
  std::size_t read_some(unsigned char* buf, std::size_t n);  // 1..n bytes, or throws at end of file
  bool at_eof();
  [[noreturn]] void malformed(const std::string& what) const;
  std::string sha256_hex() { return hash_.hex(); }

 private:
  std::uint8_t byte();
  bool fill();
  void append_tlv(const BerHeader& h, Bytes& out, std::size_t limit, int depth);
  int fd_;
  std::string subject_;
  bool hashing_;
  Sha256 hash_;
  std::vector<unsigned char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t pos_ = 0;
};

// DER encoding of a TLV with a definite length.
Bytes der_tlv(std::uint8_t tag, ByteView content);

}  // namespace esign::envelope
