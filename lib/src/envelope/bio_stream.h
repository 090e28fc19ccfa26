// BIOs between OpenSSL's CMS streaming and esign's files: a hashing sink into an OutputFile, and a pull source.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <string>

#include "crypto/openssl.h"
#include "esign/output.h"

namespace esign::envelope {

// A running SHA-256; hex() finishes it (call once).
class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t len);
  std::string hex();

 private:
  ossl::MdCtx ctx_;
};

// A write-only BIO that hashes everything and writes it to `out`. An exception thrown by `out`
// (disk full) makes the BIO write fail; rethrow_if_failed() then rethrows it.
class SinkBio {
 public:
  explicit SinkBio(OutputFile& out);
  BIO* get() const { return bio_.get(); }
  std::string sha256_hex() { return hash_.hex(); }
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static int write_cb(BIO* b, const char* data, std::size_t len, std::size_t* written);
  static long ctrl_cb(BIO* b, int cmd, long num, void* ptr);
  OutputFile& out_;
  Sha256 hash_;
  std::exception_ptr error_;
  ossl::Bio bio_;
};

// A read-only BIO over a pull function: `pull(buf, n)` returns the bytes it put in buf, 0 at the end;
// an exception it throws ends the stream with a read error and is kept for rethrow_if_failed().
class SourceBio {
 public:
  using Pull = std::function<std::size_t(unsigned char* buf, std::size_t n)>;
  explicit SourceBio(Pull pull);
  BIO* get() const { return bio_.get(); }
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static int read_cb(BIO* b, char* data, std::size_t len, std::size_t* done);
  static long ctrl_cb(BIO* b, int cmd, long num, void* ptr);
  Pull pull_;
  std::exception_ptr error_;
  bool eof_ = false;
  ossl::Bio bio_;
};

}  // namespace esign::envelope
