// The password callback OpenSSL's PEM readers call for encrypted private keys.
#pragma once

#include "esign/secret.h"

namespace esign {

// What the callback reads, and whether OpenSSL asked (so a caller can tell "encrypted, but no
// password configured" from "not a key").
struct PemPassword {
  const Secret* password = nullptr;
  bool asked = false;
};

// pem_password_cb for PEM_read_bio_PrivateKey with a PemPassword* as user data.
int pem_password_callback(char* buf, int size, int rwflag, void* user);

}  // namespace esign
