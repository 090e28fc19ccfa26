// A PKCS#11 token opened through libp11 (libp11 lives only in keys/): the module loaded, the
// token of a pkcs11: URI found, logged in once, and the key and certificate objects on it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/openssl.h"
#include "esign/bytes.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "keys/pkcs11_uri.h"

struct PKCS11_ctx_st;
struct PKCS11_slot_st;
struct PKCS11_token_st;
struct PKCS11_key_st;
struct PKCS11_cert_st;

namespace esign::pkcs11 {

// Everything libp11 hands out for one token, released in the right order. Not thread-safe.
class Token {
 public:
  // Loads the profile's module (src.module, the URI's module-path, or p11-kit's proxy), finds the
  // one token the URI names and, when the token needs it, logs in with src.pin (one attempt: a
  // retry would spend another of the token's PIN tries). `read_write` opens a session that may
  // create and delete objects. Throws Error(key): no or several tokens match, a locked PIN, a
  // failed login; Error(config) for a bad URI.
  Token(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets, bool read_write = false);
  ~Token() = default;
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  const Uri& uri() const { return uri_; }
  const std::string& name() const { return name_; }        // "token LABEL", for messages
  const std::string& subject() const { return subject_; }  // the profile file
  PKCS11_token_st* native() const;

  // The private key the URI names (object= and/or id=), or nullptr.
  PKCS11_key_st* find_key();
  // The certificate with the key's id (or label when the key has no id), or nullptr.
  PKCS11_cert_st* find_cert(PKCS11_key_st* key);
  // The key's private half as an EVP_PKEY whose operations run on the token (valid while this
  // Token lives). Throws Error(key).
  ossl::PKey private_key(PKCS11_key_st* key);
  // The private key with this id (when not empty) or else this label, or nullptr.
  PKCS11_key_st* find_key(const Bytes& id, const std::string& label);

  struct CertificateObject {
    std::string label;
    Bytes id;
    Certificate certificate;
  };
  // Every certificate object on the token.
  std::vector<CertificateObject> certificates();

  // Object management; each needs a Token opened read_write and throws Error(key, subject) when
  // the token refuses.
  // C_GenerateKeyPair: an RSA key pair of `bits` (private: sensitive, never extractable).
  void generate_rsa(unsigned bits, const std::string& label, const Bytes& id);
  // C_CreateObject of a private key and its public key from a software key (certs import).
  void store_key(EVP_PKEY* key, const std::string& label, const Bytes& id);
  // C_CreateObject of a certificate object.
  void store_certificate(X509* cert, const std::string& label, const Bytes& id);
  // C_DestroyObject of the certificates (or private and public keys) with this id, or with this
  // label when `id` is empty. Returns how many objects went.
  int remove_certificates(const Bytes& id, const std::string& label);
  int remove_keys(const Bytes& id, const std::string& label);

 private:
  // What libp11 hands out, in a member of its own so that it is released when the constructor
  // throws after acquiring it (a wrong PIN) as well as by ~Token.
  struct Handles {
    PKCS11_ctx_st* ctx = nullptr;
    PKCS11_slot_st* slots = nullptr;
    unsigned int nslots = 0;
    bool loaded = false;
    Handles();
    ~Handles();
    Handles(const Handles&) = delete;
    Handles& operator=(const Handles&) = delete;
  };
  Handles h_;
  PKCS11_slot_st* slot_ = nullptr;
  Uri uri_;
  std::string name_;
  std::string subject_;
};

// The id and label of a key object as Bytes / string (empty when absent).
Bytes key_id(PKCS11_key_st* key);
std::string key_label(PKCS11_key_st* key);

}  // namespace esign::pkcs11
