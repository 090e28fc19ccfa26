// The custom BIO methods of bio_stream.h (created once, shared by every BIO of their kind).
#include "envelope/bio_stream.h"

#include <mutex>

namespace esign::envelope {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
    ossl::fail(Errc::internal, "sha256", "cannot start hashing");
}

void Sha256::update(const void* data, std::size_t len) {
  if (len > 0 && EVP_DigestUpdate(ctx_.get(), data, len) != 1) ossl::fail(Errc::internal, "sha256", "hashing failed");
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), md, &len) != 1) ossl::fail(Errc::internal, "sha256", "hashing failed");
  return to_hex(ByteView(md, len));
}

namespace {

BIO_METHOD* sink_method(int (*write)(BIO*, const char*, std::size_t, std::size_t*),
                        long (*ctrl)(BIO*, int, long, void*)) {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [&] {
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "esign output");
    BIO_meth_set_write_ex(method, write);
    BIO_meth_set_ctrl(method, ctrl);
  });
  return method;
}

BIO_METHOD* source_method(int (*read)(BIO*, char*, std::size_t, std::size_t*), long (*ctrl)(BIO*, int, long, void*)) {
  static BIO_METHOD* method = nullptr;
  static std::once_flag once;
  std::call_once(once, [&] {
    method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "esign input");
    BIO_meth_set_read_ex(method, read);
    BIO_meth_set_ctrl(method, ctrl);
  });
  return method;
}

BIO* new_bio(BIO_METHOD* method, void* self) {
  BIO* b = BIO_new(method);
  if (b == nullptr) ossl::fail(Errc::internal, "bio", "cannot create a BIO");
  BIO_set_data(b, self);
  BIO_set_init(b, 1);
  return b;
}

}  // namespace

SinkBio::SinkBio(OutputFile& out) : out_(out), bio_(new_bio(sink_method(write_cb, ctrl_cb), this)) {}

int SinkBio::write_cb(BIO* b, const char* data, std::size_t len, std::size_t* written) {
  auto* self = static_cast<SinkBio*>(BIO_get_data(b));
  if (self->error_) return 0;
  try {
    self->hash_.update(data, len);
    self->out_.write(ByteView(reinterpret_cast<const std::uint8_t*>(data), len));
    *written = len;
    return 1;
  } catch (...) {
    self->error_ = std::current_exception();
    return 0;
  }
}

long SinkBio::ctrl_cb(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

SourceBio::SourceBio(Pull pull) : pull_(std::move(pull)), bio_(new_bio(source_method(read_cb, ctrl_cb), this)) {}

int SourceBio::read_cb(BIO* b, char* data, std::size_t len, std::size_t* done) {
  auto* self = static_cast<SourceBio*>(BIO_get_data(b));
  *done = 0;
  if (self->error_ || self->eof_) return 0;
  try {
    std::size_t n = self->pull_(reinterpret_cast<unsigned char*>(data), len);
    if (n == 0) {
      self->eof_ = true;
      return 0;
    }
    *done = n;
    return 1;
  } catch (...) {
    self->error_ = std::current_exception();
    return 0;
  }
}

long SourceBio::ctrl_cb(BIO* b, int cmd, long, void*) {
  auto* self = static_cast<SourceBio*>(BIO_get_data(b));
  if (cmd == BIO_CTRL_EOF) return self->eof_ ? 1 : 0;
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

}  // namespace esign::envelope
