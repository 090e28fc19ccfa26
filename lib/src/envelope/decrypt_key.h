// The private key and certificate a profile decrypts with (PKCS#12, PEM, PKCS#11, Azure Key Vault).
#pragma once

#include <string>

#include "crypto/openssl.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "keys/decryption_key.h"

namespace esign::envelope {

using esign::DecryptionKey;

// Loads (or opens on its token or vault) the profile's key and its certificate and checks they
// belong together. Throws Error: key (wrong password or PIN, mismatch, an EC Key Vault key),
// input (unreadable file), config (csc: a signing service cannot decrypt), remote/auth (Key Vault).
DecryptionKey load_decryption_key(const Profile& profile, const SecretResolver& secrets);

}  // namespace esign::envelope
