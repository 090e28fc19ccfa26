// OpenSSL error draining and small conversions shared by the crypto-using modules.
#include "crypto/openssl.h"

#include <openssl/err.h>

#include <ctime>

#include "common/time.h"

namespace esign::ossl {

std::string drain_errors() {
  std::string last;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    const char* reason = ERR_reason_error_string(code);
    last = reason ? reason : "error " + std::to_string(code);
  }
  return last;
}

void clear_errors() { ERR_clear_error(); }

void fail(Errc code, const std::string& subject, const std::string& what) {
  std::string reason = drain_errors();
  throw Error(code, subject, reason.empty() ? what : what + ": " + reason);
}

const EVP_MD* md_for(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return EVP_sha256();
    case DigestAlgorithm::sha384: return EVP_sha384();
    case DigestAlgorithm::sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return time_point_from_seconds(static_cast<std::int64_t>(timegm(&tm)));
}

}  // namespace esign::ossl
