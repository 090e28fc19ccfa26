// pkcs11::Token: module load, token lookup and the one login, shared by the signer, the
// decryption key and esign certs.
#include "keys/pkcs11_token.h"

#include <libp11.h>

#include <algorithm>
#include <filesystem>

#include "esign/error.h"

namespace esign::pkcs11 {

namespace {

namespace fs = std::filesystem;

// p11-kit's proxy: every module p11-kit is configured with, as one.
std::string default_module() {
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so",
                        "/usr/lib64/p11-kit-proxy.so", "/usr/lib/p11-kit-proxy.so"})
    if (fs::exists(p)) return p;
  return "p11-kit-proxy.so";
}

bool same_id(const unsigned char* id, std::size_t len, const Bytes& want) {
  return len == want.size() && std::equal(want.begin(), want.end(), id);
}

}  // namespace

Bytes key_id(PKCS11_KEY* key) { return key->id_len ? Bytes(key->id, key->id + key->id_len) : Bytes{}; }
std::string key_label(PKCS11_KEY* key) { return key->label ? key->label : ""; }

Token::Handles::Handles() : ctx(PKCS11_CTX_new()) {}

Token::Handles::~Handles() {
  if (slots) PKCS11_release_all_slots(ctx, slots, nslots);
  if (loaded) PKCS11_CTX_unload(ctx);
  if (ctx) PKCS11_CTX_free(ctx);
}

Token::Token(const Pkcs11Source& src, const Profile& profile, const SecretResolver& secrets, bool read_write)
    : subject_(profile.file.string()) {
  uri_ = parse_uri(src.uri, subject_);
  std::string module = src.module ? src.module->string() : !uri_.module_path.empty() ? uri_.module_path : default_module();
  if (!h_.ctx || PKCS11_CTX_load(h_.ctx, module.c_str()) != 0)
    ossl::fail(Errc::key, subject_, "cannot load the PKCS#11 module " + module);
  h_.loaded = true;
  if (PKCS11_enumerate_slots(h_.ctx, &h_.slots, &h_.nslots) != 0)
    ossl::fail(Errc::key, subject_, "cannot list the token slots");

  int matches = 0;
  for (unsigned i = 0; i < h_.nslots; ++i) {
    PKCS11_TOKEN* t = h_.slots[i].token;
    if (t == nullptr || !t->initialized) continue;
    if (!uri_.token.empty() && uri_.token != t->label) continue;
    if (!uri_.serial.empty() && uri_.serial != t->serialnr) continue;
    if (!uri_.manufacturer.empty() && uri_.manufacturer != t->manufacturer) continue;
    if (!uri_.model.empty() && uri_.model != t->model) continue;
    slot_ = &h_.slots[i];
    ++matches;
  }
  if (matches == 0)
    throw Error(Errc::key, subject_,
                "no token matches " + (uri_.token.empty() ? std::string("the URI") : "token=" + uri_.token) +
                    " (is it plugged in?)");
  if (matches > 1) throw Error(Errc::key, subject_, "several tokens match the URI; name one with token= or serial=");
  PKCS11_TOKEN* t = slot_->token;
  name_ = std::string("token ") + t->label;

  if (read_write || t->loginRequired) {
    if (PKCS11_open_session(slot_, read_write ? 1 : 0) != 0) ossl::fail(Errc::key, subject_, name_ + ": cannot open a session");
  }
  if (t->loginRequired) {
    if (t->userPinLocked) throw Error(Errc::key, subject_, name_ + ": the user PIN is locked; it must be reset on the token");
    if (t->userPinFinalTry)
      secrets.notice(name_ + ": the next wrong PIN locks the token (final try)");
    else if (t->userPinCountLow)
      secrets.notice(name_ + ": a wrong PIN was entered before; few tries remain");
    Secret pin = secrets.resolve(src.pin.value_or("prompt"), "PIN for " + name_, profile.file.parent_path(), subject_);
    // One attempt only: a retry with the same wrong PIN would spend another of the token's tries.
    if (PKCS11_login(slot_, 0, pin.reveal().c_str()) != 0) {
      std::string reason = ossl::drain_errors();
      throw Error(Errc::key, subject_, name_ + ": login failed (" + (reason.empty() ? "wrong PIN?" : reason) +
                                           "); not retried, to spare the token's PIN tries");
    }
  }
}

PKCS11_TOKEN* Token::native() const { return slot_->token; }

namespace {

// Objects match by id when one is given, else by label; both empty match nothing.
template <class Object>
bool matches(const Object& o, const Bytes& id, const std::string& label) {
  if (!id.empty()) return same_id(o.id, o.id_len, id);
  return !label.empty() && o.label != nullptr && label == o.label;
}

}  // namespace

PKCS11_KEY* Token::find_key() {
  PKCS11_KEY* keys = nullptr;
  unsigned int nkeys = 0;
  if (PKCS11_enumerate_keys(native(), &keys, &nkeys) != 0) ossl::fail(Errc::key, subject_, name_ + ": cannot list keys");
  for (unsigned i = 0; i < nkeys; ++i) {
    if (!uri_.object.empty() && (keys[i].label == nullptr || uri_.object != keys[i].label)) continue;
    if (!uri_.id.empty() && !same_id(keys[i].id, keys[i].id_len, uri_.id)) continue;
    return &keys[i];
  }
  return nullptr;
}

PKCS11_KEY* Token::find_key(const Bytes& id, const std::string& label) {
  PKCS11_KEY* keys = nullptr;
  unsigned int nkeys = 0;
  if (PKCS11_enumerate_keys(native(), &keys, &nkeys) != 0) ossl::fail(Errc::key, subject_, name_ + ": cannot list keys");
  for (unsigned i = 0; i < nkeys; ++i)
    if (matches(keys[i], id, label)) return &keys[i];
  return nullptr;
}

std::vector<Token::CertificateObject> Token::certificates() {
  PKCS11_CERT* certs = nullptr;
  unsigned int ncerts = 0;
  if (PKCS11_enumerate_certs(native(), &certs, &ncerts) != 0)
    ossl::fail(Errc::key, subject_, name_ + ": cannot list certificates");
  std::vector<CertificateObject> out;
  for (unsigned i = 0; i < ncerts; ++i)
    if (certs[i].x509)
      out.push_back({certs[i].label ? certs[i].label : "", Bytes(certs[i].id, certs[i].id + certs[i].id_len),
                     Certificate::from_x509(certs[i].x509)});
  return out;
}

void Token::generate_rsa(unsigned bits, const std::string& label, const Bytes& id) {
  std::string l = label;
  Bytes i = id;
  // libp11 0.4.12 has no other key generation call; it is deprecated for the generic PKCS11_keygen
  // of later releases, which Debian 12 does not ship.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  int rc = PKCS11_generate_key(native(), EVP_PKEY_RSA, bits, l.data(), i.data(), i.size());
#pragma GCC diagnostic pop
  if (rc != 0) ossl::fail(Errc::key, subject_, name_ + ": the token could not generate an RSA-" + std::to_string(bits) + " key pair");
}

void Token::store_key(EVP_PKEY* key, const std::string& label, const Bytes& id) {
  std::string l = label;
  Bytes i = id;
  if (PKCS11_store_private_key(native(), key, l.data(), i.data(), i.size()) != 0)
    ossl::fail(Errc::key, subject_, name_ + ": the token did not take the private key");
  if (PKCS11_store_public_key(native(), key, l.data(), i.data(), i.size()) != 0)
    ossl::fail(Errc::key, subject_, name_ + ": the token did not take the public key");
}

void Token::store_certificate(X509* cert, const std::string& label, const Bytes& id) {
  std::string l = label;
  Bytes i = id;
  if (PKCS11_store_certificate(native(), cert, l.data(), i.data(), i.size(), nullptr) != 0)
    ossl::fail(Errc::key, subject_, name_ + ": the token did not take the certificate");
}

// libp11 keeps a destroyed object in its cached list (a second removal of it fails with
// CKR_OBJECT_HANDLE_INVALID), so each list is read once and its matches removed once, from the
// last to the first: indices below a removed one stay valid whether or not libp11 compacts.
int Token::remove_certificates(const Bytes& id, const std::string& label) {
  PKCS11_CERT* certs = nullptr;
  unsigned int ncerts = 0;
  if (PKCS11_enumerate_certs(native(), &certs, &ncerts) != 0)
    ossl::fail(Errc::key, subject_, name_ + ": cannot list certificates");
  std::vector<unsigned> found;
  for (unsigned i = 0; i < ncerts; ++i)
    if (matches(certs[i], id, label)) found.push_back(i);
  for (auto i = found.rbegin(); i != found.rend(); ++i) {
    if (PKCS11_enumerate_certs(native(), &certs, &ncerts) != 0 || *i >= ncerts)
      ossl::fail(Errc::key, subject_, name_ + ": cannot list certificates");
    if (PKCS11_remove_certificate(&certs[*i]) != 0) ossl::fail(Errc::key, subject_, name_ + ": cannot remove a certificate");
  }
  return static_cast<int>(found.size());
}

int Token::remove_keys(const Bytes& id, const std::string& label) {
  int removed = 0;
  for (auto enumerate : {PKCS11_enumerate_keys, PKCS11_enumerate_public_keys}) {
    PKCS11_KEY* keys = nullptr;
    unsigned int nkeys = 0;
    if (enumerate(native(), &keys, &nkeys) != 0) ossl::fail(Errc::key, subject_, name_ + ": cannot list keys");
    std::vector<unsigned> found;
    for (unsigned i = 0; i < nkeys; ++i)
      if (matches(keys[i], id, label)) found.push_back(i);
    for (auto i = found.rbegin(); i != found.rend(); ++i) {
      if (enumerate(native(), &keys, &nkeys) != 0 || *i >= nkeys) ossl::fail(Errc::key, subject_, name_ + ": cannot list keys");
      if (PKCS11_remove_key(&keys[*i]) != 0) ossl::fail(Errc::key, subject_, name_ + ": cannot remove a key");
    }
    removed += static_cast<int>(found.size());
  }
  return removed;
}

PKCS11_CERT* Token::find_cert(PKCS11_KEY* key) {
  PKCS11_CERT* certs = nullptr;
  unsigned int ncerts = 0;
  if (PKCS11_enumerate_certs(native(), &certs, &ncerts) != 0)
    ossl::fail(Errc::key, subject_, name_ + ": cannot list certificates");
  for (unsigned i = 0; i < ncerts; ++i) {
    bool match = key->id_len > 0 ? same_id(certs[i].id, certs[i].id_len, key_id(key))
                                 : certs[i].label && key->label && std::string(certs[i].label) == key->label;
    if (match && certs[i].x509) return &certs[i];
  }
  return nullptr;
}

ossl::PKey Token::private_key(PKCS11_KEY* key) {
  ossl::PKey pkey(PKCS11_get_private_key(key));
  if (!pkey) ossl::fail(Errc::key, subject_, name_ + ": cannot use the private key");
  return pkey;
}

}  // namespace esign::pkcs11
