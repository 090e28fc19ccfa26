// Timestamps for signatures: what signing needs from a time-stamping authority.
#pragma once

#include <memory>

#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign {

class Timestamper {
 public:
  virtual ~Timestamper() = default;
  // A checked RFC 3161 token (DER ContentInfo) over `imprint`. Throws Error(remote).
  // Thread-safe.
  virtual Bytes timestamp(const Digest& imprint) = 0;
  // An upper bound of timestamp()'s size, to size a PDF's /Contents placeholder before the
  // signature exists (measured once per process with a token over a dummy imprint).
  virtual std::size_t max_token_size() = 0;
};

// The profile's TSA, or nullptr when the profile has no timestamp: section.
std::unique_ptr<Timestamper> open_timestamper(const Profile& profile, const SecretResolver& secrets);

}  // namespace esign
