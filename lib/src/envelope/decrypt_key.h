// The private key and certificate a profile decrypts with (PKCS#12 and PEM key sources).
#pragma once

#include <string>

#include "crypto/openssl.h"
#include "esign/profile.h"
#include "esign/secret.h"

namespace esign::envelope {

struct DecryptionKey {
  ossl::PKey key;
  ossl::X509Ptr cert;
  std::string subject;  // the key file, for messages
};

// Loads the profile's key and its certificate and checks they belong together. Throws Error:
// key (wrong password, mismatch), input (unreadable file), config (a key source that cannot
// decrypt yet: "decryption with KEY SOURCE keys is not supported yet").
DecryptionKey load_decryption_key(const Profile& profile, const SecretResolver& secrets);

}  // namespace esign::envelope
